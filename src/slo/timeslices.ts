import type { Db } from '../store/store.js';
import type { SliCounts } from './burnRate.js';
import type { SloSpec } from './sloKind.js';
import { addSliBuckets, MINUTE_RETENTION_MS, sliceSeriesKey } from './sliStore.js';
import { evaluationEnd, MINUTE } from './sloWindow.js';

type SlicedSpec = Pick<SloSpec, 'budgetingMethod' | 'timeslice'>;

export interface MinuteCounts {
  minute: number;
  good: number;
  total: number;
}

/** How long an SLO's slices are; null when it budgets events (Occurrences). */
export function sliceLength(spec: SlicedSpec): number | null {
  return spec.budgetingMethod === 'Occurrences' ? null : (spec.timeslice?.window ?? MINUTE);
}

/**
 * What one slice counts for in the budget: with Timeslices one good slice
 * (good 1 of 1) when at least `timeslice.objective` percent of its events
 * were good, else one bad slice (0 of 1); with RatioTimeslices its ratio of
 * good events as a share of one slice. A slice without events counts for
 * nothing (null): neither good nor bad.
 */
export function sliceCounts(spec: SlicedSpec, c: SliCounts): SliCounts | null {
  if (!(c.total > 0)) return null;
  if (spec.budgetingMethod === 'RatioTimeslices') return { good: Math.min(1, Math.max(0, c.good / c.total)), total: 1 };
  const objective = spec.timeslice?.objective ?? 100;
  // A hair of tolerance: 19 of 20 good is 95%, however 95 is held in binary.
  return { good: c.good * 100 >= objective * c.total * (1 - 1e-12) ? 1 : 0, total: 1 };
}

/**
 * The complete slices of raw minute counts within [from, to): slices are
 * aligned to the epoch (a 5m slice is 10:00-10:05), one that starts before
 * `from` or ends after `to` is left out, and each is placed at its last
 * minute, so a window ending at a minute boundary holds a slice only once
 * the slice has ended.
 */
export function sliceBuckets(spec: SlicedSpec, minutes: Iterable<MinuteCounts>, from: number, to: number): MinuteCounts[] {
  const len = sliceLength(spec);
  if (len === null) throw new Error('an Occurrences SLO has no slices');
  const first = Math.ceil(from / len) * len;
  const last = Math.floor(to / len) * len;
  const byStart = new Map<number, SliCounts>();
  for (const m of minutes) {
    if (m.minute < first || m.minute >= last) continue;
    const start = Math.floor(m.minute / len) * len;
    const c = byStart.get(start) ?? { good: 0, total: 0 };
    c.good += m.good;
    c.total += m.total;
    byStart.set(start, c);
  }
  const out: MinuteCounts[] = [];
  for (const start of [...byStart.keys()].sort((a, b) => a - b)) {
    const slice = sliceCounts(spec, byStart.get(start)!);
    if (slice) out.push({ minute: start + len - MINUTE, ...slice });
  }
  return out;
}

/**
 * Writes the slices of a Timeslices or RatioTimeslices SLO that have ended
 * since the last pass into its slice series (`sliceSeriesKey`), from its raw
 * counts: each slice once, at its last minute, good and total as
 * `sliceCounts` says. How far slices are derived is the newest minute of the
 * slice series: when the newest slice had no events, a 0-of-0 marker stands
 * in that minute (it adds nothing to any sum, and the minute pruner drops it
 * with the rest).
 *
 * A slice is judged once, when it has ended: events pushed later into a slice
 * already derived (`at` in the past) stay in the raw counts (a backtest, which
 * derives from them, sees them) but do not change the budget's slice.
 */
export async function deriveSlices(db: Db, slo: string, spec: SlicedSpec, now: number): Promise<void> {
  const len = sliceLength(spec);
  if (len === null) return;
  const key = sliceSeriesKey(slo);
  const until = Math.floor(evaluationEnd(now) / len) * len;
  const newest = await db.selectFrom('sli_minutes').select((eb) => eb.fn.max<number | string | null>('minute').as('minute')).where('slo', '=', key).executeTakeFirst();
  // The first time (or after a pause longer than the minutes are kept), from the oldest whole slice whose minutes are kept.
  const from = newest?.minute === null || newest?.minute === undefined ? Math.ceil((now - MINUTE_RETENTION_MS) / len) * len : Number(newest.minute) + MINUTE;
  if (from >= until) return;
  const raw = await db.selectFrom('sli_minutes').select(['minute', 'good', 'total']).where('slo', '=', slo).where('minute', '>=', from).where('minute', '<', until).execute();
  const slices = sliceBuckets(spec, raw.map((r) => ({ minute: Number(r.minute), good: Number(r.good), total: Number(r.total) })), from, until);
  const lastMinute = until - MINUTE;
  await db.transaction().execute(async (tx) => {
    await addSliBuckets(tx, key, slices);
    if (slices.at(-1)?.minute !== lastMinute) {
      await tx.insertInto('sli_minutes').values({ slo: key, minute: lastMinute, good: 0, total: 0 }).onConflict((oc) => oc.columns(['slo', 'minute']).doNothing()).execute();
    }
  });
}
