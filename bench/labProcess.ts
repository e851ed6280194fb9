import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './peers.js';

export interface LabProcess {
  url: string;
  child: ChildProcess;
  /** the last of what it printed */
  output(): string;
  stop(): Promise<void>;
}

/** `prodeng lab` as a person starts it: its own process on SQLite, in a fresh data dir, examples/lab unchanged. */
export async function startLabProcess(repoRoot: string, loadRate: number, tmpPrefix: string): Promise<LabProcess> {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'lab', '--port', String(port), '--data', join(dir, 'data'), '--rate', String(loadRate)], {
    env: { ...process.env, DATABASE_URL: '', PRODENG_API_TOKENS: '', PRODENG_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
