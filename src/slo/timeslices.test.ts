import { beforeEach, describe, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { addSliEvents, budgetSeriesKey, sliceSeriesKey, storedSeries } from './sliStore.js';
import { sloSpecSchema } from './sloKind.js';
import { deriveSlices, sliceBuckets, sliceCounts } from './timeslices.js';

const MIN = 60_000;
const spec = (extra: object) => sloSpecSchema.parse({ service: 'api', objective: 99, indicator: { events: {} }, ...extra });
const timeslices = spec({ budgetingMethod: 'Timeslices', timeslice: { window: '5m', objective: 95 } });
const ratio = spec({ budgetingMethod: 'RatioTimeslices', timeslice: { window: '5m' } });

describe('slices', () => {
  it('judges a Timeslices slice good at the timeslice objective or above, and a RatioTimeslices slice as its ratio; an empty slice counts for nothing', () => {
    expect(sliceCounts(timeslices, { good: 19, total: 20 })).toEqual({ good: 1, total: 1 });
    expect(sliceCounts(timeslices, { good: 94, total: 100 })).toEqual({ good: 0, total: 1 });
    expect(sliceCounts(timeslices, { good: 0, total: 0 })).toBeNull();
    expect(sliceCounts(ratio, { good: 3, total: 4 })).toEqual({ good: 0.75, total: 1 });
    expect(sliceCounts(ratio, { good: 0, total: 0 })).toBeNull();
  });

  it('cuts minutes into epoch-aligned slices, each at its last minute, leaving out slices not whole within the range', () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const minutes = Array.from({ length: 17 }, (_, i) => ({ minute: t0 - 2 * MIN + i * MIN, good: i === 5 ? 0 : 10, total: 10 }));
    // 09:58 to 10:15: the slices 10:00-10:05 and 10:05-10:10 are whole; 09:55 and 10:10-10:15 are cut by the range.
    const out = sliceBuckets(timeslices, minutes, t0 - 2 * MIN, t0 + 15 * MIN - MIN);
    expect(out).toEqual([
      { minute: t0 + 4 * MIN, good: 0, total: 1 }, // 10:03 was all bad
      { minute: t0 + 9 * MIN, good: 1, total: 1 },
    ]);
  });
});

describeEachStore('deriving slices in the store', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  it('writes each slice once when it has ended, keeps how far it got, and does not derive a slice again', async () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const rows = async () => (await store.db.selectFrom('sli_minutes').selectAll().where('slo', '=', 'api~slices').orderBy('minute').execute()).map((r) => [new Date(Number(r.minute)).toISOString().slice(11, 16), Number(r.good), Number(r.total)]);
    expect(budgetSeriesKey({ name: 'api', spec: timeslices })).toBe(sliceSeriesKey('api'));
    expect(budgetSeriesKey({ name: 'api', spec: spec({}) })).toBe('api');
    // Nothing counted yet: only the marker of how far slices are derived (0 of 0, adding nothing).
    await deriveSlices(store.db, 'api', timeslices, t0 + 30_000);
    expect(await rows()).toEqual([['09:59', 0, 0]]);
    for (let m = 0; m < 7; m++) await addSliEvents(store.db, 'api', t0 + m * MIN, m === 2 ? 90 : 100, 100);
    // 10:07: the slice 10:00-10:05 has ended (490 of 500 good: 98%, a good slice); 10:05-10:10 has not.
    await deriveSlices(store.db, 'api', timeslices, t0 + 7 * MIN + 5_000);
    expect(await rows()).toEqual([['09:59', 0, 0], ['10:04', 1, 1]]);
    // Events pushed late into the slice already derived are not derived again.
    await addSliEvents(store.db, 'api', t0 + 3 * MIN, 0, 400);
    await deriveSlices(store.db, 'api', timeslices, t0 + 8 * MIN);
    expect(await rows()).toEqual([['09:59', 0, 0], ['10:04', 1, 1]]);
    // Later passes: the next slice, then an empty one (its marker), then a pause of three slices caught up at once.
    await deriveSlices(store.db, 'api', timeslices, t0 + 10 * MIN);
    await deriveSlices(store.db, 'api', timeslices, t0 + 15 * MIN);
    await addSliEvents(store.db, 'api', t0 + 17 * MIN, 50, 100);
    await addSliEvents(store.db, 'api', t0 + 21 * MIN, 100, 100);
    await deriveSlices(store.db, 'api', timeslices, t0 + 30 * MIN + 59_000);
    expect(await rows()).toEqual([['09:59', 0, 0], ['10:04', 1, 1], ['10:09', 1, 1], ['10:14', 0, 0], ['10:19', 0, 1], ['10:24', 1, 1], ['10:29', 0, 0]]);
    expect(await storedSeries(store.db, 'api~slices', t0 + 31 * MIN).counts(t0, t0 + 30 * MIN)).toEqual({ good: 3, total: 4 });
    const hour = await store.db.selectFrom('sli_hours').selectAll().where('slo', '=', 'api~slices').execute();
    expect(hour.map((h) => [Number(h.good), Number(h.total)])).toEqual([[3, 4]]);
  });
});
