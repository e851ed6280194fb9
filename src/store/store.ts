import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrations.js';
import { withStatementCache } from './statementCache.js';

export type StoreDialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

export interface Store {
  db: Db;
  dialect: StoreDialect;
  /** where the data lives, for logs (never includes a password) */
  location: string;
  migrated: boolean;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite in dataDir */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** SQLite file name inside dataDir, or ':memory:' */
  sqliteFile?: string | undefined;
  /**
   * An idle PostgreSQL connection failed (the server restarted, an admin
   * ended it): the pool drops it and opens another when needed. Without a
   * listener the pool's error event would end the process.
   */
  onIdleConnectionError?: ((err: Error) => void) | undefined;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.onIdleConnectionError ?? (() => {}));
  if (url) throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got "${redactUrl(url)}")`);
  return openSqlite(options.dataDir ?? '.prodeng-data', options.sqliteFile ?? 'prodeng.db');
}

async function openSqlite(dataDir: string, file: string): Promise<Store> {
  let path = file;
  if (file !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    path = join(dataDir, file);
  }
  const sqlite = new BetterSqlite3(path);
  // WAL with synchronous=NORMAL: a commit is in the WAL before the reply, so
  // a killed process loses nothing; only an OS crash could lose the last
  // commits. PRODENG_SQLITE_SYNC=full trades throughput for that too.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${process.env.PRODENG_SQLITE_SYNC === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  // Alert dedup keys are random, so their index is written all over; a
  // larger page cache keeps it in memory.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const store: Store = { db, dialect: 'sqlite', location: path, migrated: false, close: () => db.destroy() };
  await migrateToLatest(db, 'sqlite');
  store.migrated = true;
  return store;
}

async function openPostgres(url: string, onIdleConnectionError: (err: Error) => void): Promise<Store> {
  // int8 columns hold epoch milliseconds and ids; both fit in a JS number.
  const types = {
    getTypeParser: (oid: number, format?: any) =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.PRODENG_PG_POOL ?? 10), types });
  pool.on('error', onIdleConnectionError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store: Store = { db, dialect: 'postgres', location: redactUrl(url), migrated: false, close: () => db.destroy() };
  await migrateToLatest(db, 'postgres');
  store.migrated = true;
  return store;
}
