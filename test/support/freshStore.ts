import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './testDatabases.js';

/** A new, empty, migrated store for each test of the block; closed and thrown away after it. Read it through the getter. */
export function freshStorePerTest(kind: StoreKind): () => Store {
  let db: TestDatabase | undefined;
  let store: Store | undefined;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    store = await openStore(db.options);
  });
  afterEach(async () => {
    await store?.close();
    await db?.cleanup();
    store = undefined;
  });
  return () => {
    if (!store) throw new Error('the store exists only inside a test');
    return store;
  };
}
