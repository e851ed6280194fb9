import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
}

export interface DataDirLock {
  release(): void;
}

/**
 * One process per SQLite data directory. A second `prodeng serve` or `lab`
 * on the same folder would take the first one's hosts for lost and act on
 * them, so it must stop before it reads anything.
 *
 * The lock is an exclusive SQLite lock on a file of its own: the operating
 * system drops it when the holder dies, kill -9 included, so a stale lock
 * never outlives its process. The holder's pid sits beside it for the message.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'prodeng.pid');
  const lock = new BetterSqlite3(join(dataDir, 'prodeng.lock'));
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('journal_mode = DELETE');
    lock.pragma('locking_mode = EXCLUSIVE');
    // A write takes the exclusive lock; in this locking mode it is held until the connection closes.
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    let holder = 'another process';
    try {
      holder = `prodeng (pid ${readFileSync(pidFile, 'utf8').trim()})`;
    } catch {
      // no pid file: say it plainly
    }
    throw new DataDirInUseError(`${holder} is already running on data directory ${dataDir}; stop it, or give this one another --data`);
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  return {
    release() {
      lock.close();
      rmSync(pidFile, { force: true });
    },
  };
}
