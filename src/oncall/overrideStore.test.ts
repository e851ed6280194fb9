import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { addOverride, cancelOverride, listOverrides } from './overrideStore.js';

const H = 3_600_000;

describeEachStore('override store', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  it('adds, lists by schedule and span, and cancels once', async () => {
    const a = await addOverride(store.db, { schedule: 'primary', user: 'carol', replaces: 'bob', startsAt: 10 * H, endsAt: 20 * H, createdBy: 'alice', reason: 'bob at the dentist' }, 5 * H);
    await addOverride(store.db, { schedule: 'primary', user: 'dave', replaces: null, startsAt: 30 * H, endsAt: 40 * H, createdBy: 'alice', reason: '' }, 5 * H);
    await addOverride(store.db, { schedule: 'secondary', user: 'erin', replaces: null, startsAt: 10 * H, endsAt: 20 * H, createdBy: 'alice', reason: '' }, 5 * H);
    expect(a).toMatchObject({ schedule: 'primary', user: 'carol', replaces: 'bob', startsAt: 10 * H, endsAt: 20 * H, createdBy: 'alice', reason: 'bob at the dentist', createdAt: 5 * H, cancelledAt: null });
    expect((await listOverrides(store.db, { schedule: 'primary' })).map((o) => o.user)).toEqual(['carol', 'dave']);
    // Overlapping [from, to): ends after from, starts before to.
    expect((await listOverrides(store.db, { schedule: 'primary', from: 20 * H, to: 31 * H })).map((o) => o.user)).toEqual(['dave']);
    expect((await listOverrides(store.db, { from: 19 * H, to: 30 * H })).map((o) => o.user)).toEqual(['carol', 'erin']);

    const cancelled = await cancelOverride(store.db, { schedule: 'primary', id: a.id, by: 'bob' }, 6 * H);
    expect(cancelled).toMatchObject({ ok: true, override: { id: a.id, cancelledAt: 6 * H, cancelledBy: 'bob' } });
    expect(await cancelOverride(store.db, { schedule: 'primary', id: a.id, by: 'bob' }, 7 * H)).toMatchObject({ ok: false, code: 'already_cancelled', message: expect.stringContaining('already cancelled by bob') });
    // An id of another schedule is not found in this one.
    expect(await cancelOverride(store.db, { schedule: 'secondary', id: a.id + 1, by: 'bob' }, 7 * H)).toMatchObject({ ok: false, code: 'not_found' });
    expect((await listOverrides(store.db, { schedule: 'primary' })).map((o) => o.user)).toEqual(['dave']);
    expect((await listOverrides(store.db, { schedule: 'primary', includeCancelled: true })).map((o) => o.user)).toEqual(['carol', 'dave']);
  });
});
