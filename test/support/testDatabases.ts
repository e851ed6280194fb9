import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import type { StoreOptions } from '../../src/store/store.js';

export type StoreKind = 'sqlite' | 'postgres';

/** A fresh, empty database of one kind, and how to throw it away. */
export interface TestDatabase {
  kind: StoreKind;
  options: StoreOptions;
  cleanup(): Promise<void>;
}

export const postgresUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '';

let warned = false;
export function storeKinds(): StoreKind[] {
  if (!postgresUrl) {
    if (!warned) {
      warned = true;
      console.warn('PostgreSQL tests skipped: set DATABASE_URL=postgres://… (for example postgres://postgres@127.0.0.1:5432/postgres) to run them');
    }
    return ['sqlite'];
  }
  return ['sqlite', 'postgres'];
}

let counter = 0;

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'prodeng-test-'));
    return { kind, options: { dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `prodeng_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    options: { databaseUrl: url.toString() },
    async cleanup() {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs a describe block once per available store kind. */
export function describeEachStore(title: string, body: (kind: StoreKind) => void): void {
  for (const kind of storeKinds()) describe(`${title} [${kind}]`, () => body(kind));
}
