import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../../test/support/testDatabases.js';
import { openStore, type Store } from './store.js';

describe.skipIf(!postgresUrl)('the PostgreSQL store', () => {
  let db: TestDatabase | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await db?.cleanup();
  });

  it('survives the server ending its idle connections, reports it, and queries again on a new one', async () => {
    db = await createTestDatabase('postgres');
    const failures: Error[] = [];
    store = await openStore({ ...db.options, onIdleConnectionError: (err) => failures.push(err) });
    const pid = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store!.db)).rows[0]!.pid;
    const before = await pid();

    // What a PostgreSQL restart or an admin's pg_terminate_backend does to a pooled, idle connection.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [before]);
    await admin.end();

    await vi.waitFor(() => expect(failures.map((e) => (e as Error & { code?: string }).code)).toEqual(['57P01']));
    const after = await pid();
    expect(after).not.toBe(before);
  });
});
