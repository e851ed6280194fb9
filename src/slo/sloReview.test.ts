import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { sloSpecSchema, type SloDoc } from './sloKind.js';
import { addSliEvents, budgetSeriesKey } from './sliStore.js';
import { pastWindows, recordTargets, reviewSlo } from './sloReview.js';

const DAY = 86_400_000;
const doc = (spec: Record<string, unknown>): SloDoc =>
  ({ kind: 'SLO', name: 'api', spec: sloSpecSchema.parse({ service: 'api', indicator: { events: {} }, ...spec }), source: { file: 'slo.yaml', line: 1 } }) as unknown as SloDoc;
const now = Date.parse('2026-12-03T12:00:00Z');

describeEachStore('reviewing an SLO target against what was achieved', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  /** A day's events per window day: `badShare(window)` of 10,000 bad. */
  async function history(slo: SloDoc, days: number, badShare: (dayBack: number) => number) {
    await store.db.transaction().execute(async (tx) => {
      for (let d = 1; d <= days; d++) await addSliEvents(tx, slo.name, now - d * DAY + 3_600_000, 10_000 * (1 - badShare(d)), 10_000);
    });
  }

  it('says a target met with the budget barely touched for three windows may be too loose', async () => {
    const slo = doc({ objective: 99, window: '30d' });
    await history(slo, 90, () => 0.001);
    const r = await reviewSlo(store.db, slo, now);
    expect(r.verdict).toBe('too-loose');
    expect(r.advice).toMatch(/met with at least 80% of the budget unused for 3 windows \(worst 99\.9% against 99%\)/);
    expect(r.windows.map((w) => Math.round(w.budgetUsed! * 100))).toEqual([10, 10, 10]);
  });

  it('reviews a Timeslices SLO on its slices: good slices of all slices, not good events of all events', async () => {
    const slo = doc({ objective: 99, window: '1d', budgetingMethod: 'Timeslices', timeslice: { window: '1m', objective: 95 } });
    await store.db.transaction().execute(async (tx) => {
      for (let d = 1; d <= 3; d++) {
        const day = now - d * DAY;
        // Each day 100 minutes of events (the raw counts and the slices the evaluator derives from them); 3 quiet minutes fail.
        for (let m = 0; m < 100; m++) {
          const bad = m < 3;
          await addSliEvents(tx, 'api', day + m * 60_000, bad ? 0 : 1000, bad ? 1 : 1000);
          await addSliEvents(tx, budgetSeriesKey(slo), day + m * 60_000, bad ? 0 : 1, 1);
        }
      }
    });
    const r = await reviewSlo(store.db, slo, now);
    // 3 bad slices of 100 is 3× the 1% budget every day (event-weighted it would be 3 bad of 97,003: 0.3 of the budget).
    expect(r.windows.map((w) => [w.good, w.total, Math.round(w.budgetUsed! * 100)])).toEqual([
      [97, 100, 300],
      [97, 100, 300],
      [97, 100, 300],
    ]);
    expect(r.verdict).toBe('too-tight');
  });

  it('says a budget exhausted three windows running is too tight, and a mix fits', async () => {
    const slo = doc({ objective: 99.9, window: '30d' });
    await history(slo, 90, () => 0.005);
    expect((await reviewSlo(store.db, slo, now)).verdict).toBe('too-tight');
    const other = doc({ objective: 99.9, window: '30d' });
    (other as { name: string }).name = 'mixed';
    await history(other, 90, (d) => (d <= 30 ? 0.0005 : 0.002));
    const r = await reviewSlo(store.db, other, now);
    expect(r.verdict).toBe('fits');
    expect(r.windows.map((w) => w.met)).toEqual([true, false, false]);
  });

  it('judges each window by the target in force at its end', async () => {
    await recordTargets(store.db, [doc({ objective: 99.9 })], now - 90 * DAY);
    // Loosened to 99% 45 days ago; a restart with the same target records nothing new.
    await recordTargets(store.db, [doc({ objective: 99 })], now - 45 * DAY);
    await recordTargets(store.db, [doc({ objective: 99 })], now - 10 * DAY);
    const slo = doc({ objective: 99 });
    await history(slo, 90, () => 0.002);
    const r = await reviewSlo(store.db, slo, now);
    expect(r.windows.map((w) => w.objective)).toEqual([99, 99, 99.9]);
    expect(r.windows.map((w) => w.met)).toEqual([true, true, false]);
    const rows = await store.db.selectFrom('slo_targets').selectAll().execute();
    expect(rows).toHaveLength(2);
  });

  it('says when there is not enough data', async () => {
    const slo = doc({ objective: 99, window: '30d' });
    await history(slo, 30, () => 0);
    expect((await reviewSlo(store.db, slo, now)).verdict).toBe('not-enough-data');
  });
});

it('reviews calendar months as the months before this one, in the time zone', () => {
  const slo = doc({ objective: 99, window: { calendar: 'month', timeZone: 'Europe/Berlin' } });
  const windows = pastWindows(slo, now, 2).map((w) => [new Date(w.start).toISOString(), new Date(w.end).toISOString()]);
  expect(windows).toEqual([
    ['2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z'],
    ['2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z'],
  ]);
});
