import type { Db } from '../store/store.js';
import { evaluateSlo, type AlertTierName, type Urgency } from './burnRate.js';
import { BucketSeries } from './bucketSeries.js';
import type { SloSpec } from './sloKind.js';
import { MINUTE, nominalWindowMs } from './sloWindow.js';
import { MINUTE_RETENTION_MS, sliceSeriesKey } from './sliStore.js';
import { sliceBuckets, sliceLength } from './timeslices.js';

export interface BacktestTransition {
  at: number;
  tier: AlertTierName | null;
  urgency: Urgency | null;
  budgetRemaining: number;
}

export interface BacktestResult {
  from: number;
  to: number;
  evaluations: number;
  transitions: BacktestTransition[];
  pages: number;
  tickets: number;
  /** minutes during which a page tier held */
  pagedMinutes: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** How far back one evaluation reads: its budget window (a calendar period, with two days to spare), or the slowest ticket's 3 days, scaled. */
function lookback(spec: SloSpec): number {
  const budget = typeof spec.window === 'number' ? spec.window : nominalWindowMs(spec.window) + 2 * DAY;
  return Math.max(budget, (3 * DAY * nominalWindowMs(spec.window)) / (30 * DAY));
}

/**
 * Replays the stored events (or, for Timeslices and RatioTimeslices, slices)
 * of an SLO minute by minute over [from, to), as
 * the evaluator would have, with the spec given (so a new target or guard
 * can be tried before it is switched on), and says when its alert would
 * have fired, moved and ended.
 */
export async function backtestSlo(db: Db, slo: string, spec: SloSpec, from: number, to: number, now: number): Promise<BacktestResult> {
  // No data is judged from the SLO's first counted event: before it, the SLO did not exist yet.
  const first = await db.selectFrom('sli_hours').select((eb) => eb.fn.min<number | string | null>('hour').as('first')).where('slo', '=', slo).executeTakeFirst();
  const knownSince = first?.first === null || first?.first === undefined ? to : Number(first.first);
  const start = Math.floor(from / MINUTE) * MINUTE;
  const end = Math.floor(to / MINUTE) * MINUTE;
  const loadFrom = start - lookback(spec);
  // Minutes where they are kept; before that, each hour spread evenly over its minutes.
  const minutesFrom = Math.max(loadFrom, Math.ceil((now - MINUTE_RETENTION_MS) / HOUR) * HOUR);
  const minuteRows = (key: string, from: number, until: number) =>
    db.selectFrom('sli_minutes').select(['minute', 'good', 'total']).where('slo', '=', key).where('minute', '>=', from).where('minute', '<', until).execute();
  const hourRows = (key: string) =>
    minutesFrom > loadFrom ? db.selectFrom('sli_hours').select(['hour', 'good', 'total']).where('slo', '=', key).where('hour', '>=', loadFrom).where('hour', '<', minutesFrom).execute() : Promise.resolve([]);
  const toBuckets = (rows: Array<{ minute: number | string; good: number | string; total: number | string }>) => rows.map((r) => ({ minute: Number(r.minute), good: Number(r.good), total: Number(r.total) }));
  const slice = sliceLength(spec);
  let buckets: Array<{ minute: number; good: number; total: number }>;
  let hours: Awaited<ReturnType<typeof hourRows>>;
  if (slice === null) {
    buckets = toBuckets(await minuteRows(slo, minutesFrom, end));
    hours = await hourRows(slo);
  } else {
    // Slices are replayed from the raw minutes where those are kept, judged as the evaluator judges them
    // (and with events pushed late into them); before that (and for a slice cut by that edge), the slices stored.
    const rawFrom = Math.ceil(minutesFrom / slice) * slice;
    const key = sliceSeriesKey(slo);
    buckets = [...toBuckets(await minuteRows(key, minutesFrom, rawFrom)), ...sliceBuckets(spec, toBuckets(await minuteRows(slo, rawFrom, end)), rawFrom, end)];
    hours = await hourRows(key);
  }
  for (const h of hours) for (let m = 0; m < 60; m++) buckets.push({ minute: Number(h.hour) + m * MINUTE, good: Number(h.good) / 60, total: Number(h.total) / 60 });
  const series = new BucketSeries(loadFrom, end, buckets);
  const transitions: BacktestTransition[] = [];
  let current: AlertTierName | null = null;
  let pages = 0;
  let tickets = 0;
  let pagedMinutes = 0;
  let evaluations = 0;
  let lastUrgency: Urgency | null = null;
  for (let at = start + MINUTE; at <= end; at += MINUTE) {
    const status = await evaluateSlo(spec, series, at, { knownSince });
    evaluations++;
    const tier = status.tier?.name ?? null;
    const urgency = status.tier?.urgency ?? null;
    if (urgency === 'page') pagedMinutes++;
    if (tier !== current) {
      transitions.push({ at, tier, urgency, budgetRemaining: status.budgetRemaining });
      // Counted as the pipeline would act: a page when the alert becomes a page, a ticket when it opens as one.
      if (urgency === 'page' && lastUrgency !== 'page') pages++;
      if (urgency === 'ticket' && lastUrgency === null) tickets++;
      current = tier;
      lastUrgency = urgency;
    }
  }
  return { from: start, to: end, evaluations, transitions, pages, tickets, pagedMinutes };
}
