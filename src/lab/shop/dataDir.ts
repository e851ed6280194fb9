/**
 * A service's --data directory with a byte quota, standing in for the host's disk: writes
 * that would go over the quota fail the way they would with ENOSPC, so filling the
 * directory (the disk-full fault) breaks the service's writes for real.
 */
import { mkdirSync, readdirSync, statSync, readFileSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpError } from './http.js';

export class DiskFullError extends HttpError {
  constructor(message: string) {
    super(507, message);
  }
}

const ballastName = 'lab-ballast.bin';

export class DataDir {
  constructor(
    readonly path: string,
    readonly quotaBytes: number,
  ) {
    mkdirSync(path, { recursive: true });
  }

  /** Bytes used by every file under the directory. The directory is small, so a walk is cheap. */
  usageBytes(): number {
    return sumSizes(this.path);
  }

  isFull(): boolean {
    return this.usageBytes() >= this.quotaBytes;
  }

  readJson<T>(name: string): T | undefined {
    const path = join(this.path, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
    }
  }

  /**
   * Replaces a file whole (temp file, then rename), so a failed write leaves the old content.
   * The temp file sits beside the old one until the rename, so the new content needs room.
   */
  async writeFile(name: string, content: string): Promise<void> {
    const bytes = Buffer.byteLength(content);
    this.ensureRoom(name, bytes);
    const temp = join(this.path, `.${name}.tmp`);
    await writeFile(temp, content);
    await rename(temp, join(this.path, name));
  }

  async appendFile(name: string, content: string): Promise<void> {
    this.ensureRoom(name, Buffer.byteLength(content));
    await appendFile(join(this.path, name), content);
  }

  /** Fills the directory up to the quota with a ballast file; answers the ballast's size. */
  fillWithBallast(): number {
    const room = this.quotaBytes - this.usageBytes();
    if (room <= 0) return this.ballastBytes();
    const chunk = Buffer.alloc(Math.min(room, 1024 * 1024), 0x42);
    const fd = openSync(join(this.path, ballastName), 'a');
    try {
      for (let left = room; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    } finally {
      closeSync(fd);
    }
    return this.ballastBytes();
  }

  removeBallast(): void {
    rmSync(join(this.path, ballastName), { force: true });
  }

  ballastBytes(): number {
    return sizeOf(join(this.path, ballastName));
  }

  private ensureRoom(name: string, bytes: number): void {
    const used = this.usageBytes();
    if (used + bytes > this.quotaBytes) {
      throw new DiskFullError(`disk full: writing ${bytes} bytes to ${name} would go over the ${this.quotaBytes}-byte quota (${used} bytes used)`);
    }
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function sumSizes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += sumSizes(path);
    else if (entry.isFile()) total += sizeOf(path);
  }
  return total;
}
