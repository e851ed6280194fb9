import { beforeEach, expect, it } from 'vitest';
import type { Store } from './store.js';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { claimWork, enqueueWork, finishWork } from './workQueue.js';
import { acquireLeaderLease } from './leaderLease.js';
import { describeEachStore } from '../../test/support/testDatabases.js';

describeEachStore('work queue and leader lease', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  it('leases work to one owner, and lets another claim it once the lease expires', async () => {
    await enqueueWork(store.db, [{ kind: 'k', subject: '1' }, { kind: 'k', subject: '2' }, { kind: 'other', subject: '3' }], 1000);
    const a = await claimWork(store, { kind: 'k', owner: 'a', leaseMs: 100, limit: 10, now: 1000 });
    expect(a.map((w) => w.subject)).toEqual(['1', '2']);
    expect(await claimWork(store, { kind: 'k', owner: 'b', leaseMs: 100, limit: 10, now: 1050 })).toEqual([]);
    expect(await finishWork(store.db, { id: a[0]!.id, owner: 'a', now: 1060 })).toBe(true);
    const b = await claimWork(store, { kind: 'k', owner: 'b', leaseMs: 100, limit: 10, now: 1200 });
    expect(b.map((w) => [w.subject, w.attempts])).toEqual([['2', 2]]);
    // the first owner lost its lease and cannot record an outcome any more
    expect(await finishWork(store.db, { id: a[1]!.id, owner: 'a', now: 1210 })).toBe(false);
  });

  it('does not run work before its time', async () => {
    await enqueueWork(store.db, [{ kind: 'k', subject: 'later', runAt: 5000 }], 1000);
    expect(await claimWork(store, { kind: 'k', owner: 'a', leaseMs: 100, limit: 10, now: 4999 })).toEqual([]);
    expect(await claimWork(store, { kind: 'k', owner: 'a', leaseMs: 100, limit: 10, now: 5000 })).toHaveLength(1);
  });

  it('gives the leader lease to one holder until it expires', async () => {
    expect(await acquireLeaderLease(store.db, { name: 'm', holder: 'a', ttlMs: 100, now: 0 })).toBe(true);
    expect(await acquireLeaderLease(store.db, { name: 'm', holder: 'b', ttlMs: 100, now: 50 })).toBe(false);
    expect(await acquireLeaderLease(store.db, { name: 'm', holder: 'a', ttlMs: 100, now: 90 })).toBe(true);
    expect(await acquireLeaderLease(store.db, { name: 'm', holder: 'b', ttlMs: 100, now: 191 })).toBe(true);
    expect(await acquireLeaderLease(store.db, { name: 'm', holder: 'a', ttlMs: 100, now: 200 })).toBe(false);
  });
});
