import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { addSliEvents, sliMinutePruner, storedSeries } from './sliStore.js';

const MIN = 60_000;
const HOUR = 3_600_000;

describeEachStore('SLI counts in the store: minutes, hours and what is pruned', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  it('sums any window from hours and edge minutes as the minutes would, and keeps the budget window after minutes are pruned', async () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    const days = 6;
    const exact: Array<{ at: number; good: number; total: number }> = [];
    // Every 7 minutes, so minute edges fall inside hours; totals vary with the hour.
    for (let at = start; at < start + days * 24 * HOUR; at += 7 * MIN) {
      const total = 10 + ((at / HOUR) % 24);
      const good = total - ((at / MIN) % 3);
      exact.push({ at, good, total });
    }
    await store.db.transaction().execute(async (tx) => {
      for (const e of exact) await addSliEvents(tx, 'api', e.at, e.good, e.total);
    });
    const now = start + days * 24 * HOUR;
    const truth = (from: number, to: number) => exact.filter((e) => e.at >= from && e.at < to).reduce((s, e) => ({ good: s.good + e.good, total: s.total + e.total }), { good: 0, total: 0 });
    const windows = [5 * MIN, 30 * MIN, HOUR, 6 * HOUR, 24 * HOUR + 17 * MIN, 72 * HOUR, days * 24 * HOUR];
    const end = now - 13 * MIN;
    for (const w of windows) expect(await storedSeries(store.db, 'api', now).counts(end - w, end), `window ${w / MIN} min`).toEqual(truth(end - w, end));

    await sliMinutePruner(store.db)(now);
    const left = await store.db.selectFrom('sli_minutes').select((eb) => eb.fn.min<number>('minute').as('first')).executeTakeFirstOrThrow();
    expect(Number(left.first)).toBeGreaterThan(start + HOUR);
    // Within the kept minutes, still exact; the whole window is exact to within the one prorated edge hour.
    expect(await storedSeries(store.db, 'api', now).counts(end - 72 * HOUR, end)).toEqual(truth(end - 72 * HOUR, end));
    const whole = await storedSeries(store.db, 'api', now).counts(end - (days * 24 - 1) * HOUR - 20 * MIN, end);
    const reference = truth(end - (days * 24 - 1) * HOUR - 20 * MIN, end);
    expect(Math.abs(whole.total - reference.total)).toBeLessThan(40);
    expect(Math.abs(whole.total - reference.total) / reference.total).toBeLessThan(0.001);
  });
});
