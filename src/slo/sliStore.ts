import type { Db, DbOrTx } from '../store/store.js';
import type { SliCounts, SliSeries, SloStatus } from './burnRate.js';
import type { SloDoc, SloSpec } from './sloKind.js';
import { MINUTE } from './sloWindow.js';

const HOUR = 3_600_000;

/** Minutes are kept this long (the slowest ticket's 3 days, its 6-hour short window, and a day to spare); hours for the budget window. */
export const MINUTE_RETENTION_MS = 4 * 86_400_000 + 6 * HOUR;

/**
 * Where a Timeslices or RatioTimeslices SLO's slices are kept, beside its raw
 * counts: config names never hold `~`, so no SLO's name can take this key.
 */
export function sliceSeriesKey(slo: string): string {
  return `${slo}~slices`;
}

/**
 * The series an SLO's budget, burn, gate, backtest and review read: its raw
 * counts (Occurrences: every event counts), or its slices (Timeslices and
 * RatioTimeslices: every slice with events counts as one).
 */
export function budgetSeriesKey(slo: { name: string; spec: Pick<SloSpec, 'budgetingMethod'> }): string {
  return slo.spec.budgetingMethod === 'Occurrences' ? slo.name : sliceSeriesKey(slo.name);
}

/**
 * Adds many minutes' counts to a series at once: per-minute and per-hour sums
 * first, then one upsert per table (in chunks), so catching up a few days of
 * slices is a handful of statements.
 */
export async function addSliBuckets(db: DbOrTx, slo: string, buckets: Iterable<{ minute: number; good: number; total: number }>): Promise<void> {
  const minutes = new Map<number, { good: number; total: number }>();
  const hours = new Map<number, { good: number; total: number }>();
  for (const b of buckets) {
    for (const [map, at] of [[minutes, Math.floor(b.minute / MINUTE) * MINUTE], [hours, Math.floor(b.minute / HOUR) * HOUR]] as const) {
      const c = map.get(at) ?? { good: 0, total: 0 };
      c.good += b.good;
      c.total += b.total;
      map.set(at, c);
    }
  }
  const CHUNK = 500;
  const minuteRows = [...minutes].map(([minute, c]) => ({ slo, minute, ...c }));
  for (let i = 0; i < minuteRows.length; i += CHUNK) {
    await db
      .insertInto('sli_minutes')
      .values(minuteRows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['slo', 'minute']).doUpdateSet((eb) => ({
          good: eb(eb.ref('sli_minutes.good'), '+', eb.ref('excluded.good')),
          total: eb(eb.ref('sli_minutes.total'), '+', eb.ref('excluded.total')),
        })),
      )
      .execute();
  }
  const hourRows = [...hours].map(([hour, c]) => ({ slo, hour, ...c }));
  for (let i = 0; i < hourRows.length; i += CHUNK) {
    await db
      .insertInto('sli_hours')
      .values(hourRows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['slo', 'hour']).doUpdateSet((eb) => ({
          good: eb(eb.ref('sli_hours.good'), '+', eb.ref('excluded.good')),
          total: eb(eb.ref('sli_hours.total'), '+', eb.ref('excluded.total')),
        })),
      )
      .execute();
  }
}

/** Adds good and total events to an SLO's minute and hour. */
export async function addSliEvents(db: DbOrTx, slo: string, at: number, good: number, total: number): Promise<void> {
  const minute = Math.floor(at / MINUTE) * MINUTE;
  const hour = Math.floor(at / HOUR) * HOUR;
  await db
    .insertInto('sli_minutes')
    .values({ slo, minute, good, total })
    .onConflict((oc) =>
      oc.columns(['slo', 'minute']).doUpdateSet((eb) => ({
        good: eb(eb.ref('sli_minutes.good'), '+', eb.ref('excluded.good')),
        total: eb(eb.ref('sli_minutes.total'), '+', eb.ref('excluded.total')),
      })),
    )
    .execute();
  await db
    .insertInto('sli_hours')
    .values({ slo, hour, good, total })
    .onConflict((oc) =>
      oc.columns(['slo', 'hour']).doUpdateSet((eb) => ({
        good: eb(eb.ref('sli_hours.good'), '+', eb.ref('excluded.good')),
        total: eb(eb.ref('sli_hours.total'), '+', eb.ref('excluded.total')),
      })),
    )
    .execute();
}

/** Good and total events of an SLO's minutes or hours in [from, to). */
export async function sum(db: DbOrTx, table: 'sli_minutes' | 'sli_hours', slo: string, from: number, to: number): Promise<SliCounts> {
  if (to <= from) return { good: 0, total: 0 };
  const column = table === 'sli_minutes' ? 'minute' : 'hour';
  const row = await db
    .selectFrom(table)
    .select((eb) => [eb.fn.sum<number | string | null>('good').as('good'), eb.fn.sum<number | string | null>('total').as('total')])
    .where('slo', '=', slo)
    .where(column, '>=', from)
    .where(column, '<', to)
    .executeTakeFirst();
  return { good: Number(row?.good ?? 0), total: Number(row?.total ?? 0) };
}

/**
 * An SLO's counts as the store holds them: a window of up to six hours from
 * its minutes; a longer one from whole hours, with minutes at both edges,
 * so a 30-day window reads about 800 rows, not 43,200. Windows asked twice
 * in one evaluation are read once.
 */
export function storedSeries(db: DbOrTx, slo: string, now: number): SliSeries {
  const seen = new Map<string, Promise<SliCounts>>();
  const minutesFrom = now - MINUTE_RETENTION_MS;
  // Before the minutes kept, a partial hour is its share of the hour's counts.
  const head = async (from: number, firstHour: number): Promise<SliCounts> => {
    if (from >= minutesFrom || from === firstHour) return sum(db, 'sli_minutes', slo, from, firstHour);
    const hour = await sum(db, 'sli_hours', slo, firstHour - HOUR, firstHour);
    const share = (firstHour - from) / HOUR;
    return { good: hour.good * share, total: hour.total * share };
  };
  const read = async (from: number, to: number): Promise<SliCounts> => {
    if (to - from <= 6 * HOUR) return sum(db, 'sli_minutes', slo, from, to);
    const firstHour = Math.ceil(from / HOUR) * HOUR;
    const lastHour = Math.floor(to / HOUR) * HOUR;
    const [a, b, c] = await Promise.all([head(from, firstHour), sum(db, 'sli_hours', slo, firstHour, lastHour), sum(db, 'sli_minutes', slo, lastHour, to)]);
    return { good: a.good + b.good + c.good, total: a.total + b.total + c.total };
  };
  return {
    counts(from: number, to: number): Promise<SliCounts> {
      const key = `${from}:${to}`;
      let p = seen.get(key);
      if (!p) seen.set(key, (p = read(from, to)));
      return p;
    },
  };
}

/** Drops minutes older than the retention, once an hour; hours stay for the budget window and backtests. */
export function sliMinutePruner(db: Db): (now: number) => Promise<void> {
  let last = -Infinity;
  return async (now) => {
    if (now - last < HOUR) return;
    last = now;
    await db.deleteFrom('sli_minutes').where('minute', '<', now - MINUTE_RETENTION_MS).execute();
  };
}

const PROBE_RESULTS_PER_PASS = 20_000;

/**
 * Counts the probe results of an SLO's service not yet counted into its
 * minutes: a passing check is a good event, a failing one (or one slower
 * than `latencyBelow`) a bad one.
 */
export async function countProbeResults(db: Db, slo: SloDoc, counted: number): Promise<number> {
  const indicator = slo.spec.indicator;
  if (!('probe' in indicator)) return counted;
  let q = db
    .selectFrom('probe_results')
    .select(['id', 'ok', 'latency_ms', 'at'])
    .where('id', '>', counted)
    .where('service', '=', slo.spec.service)
    .orderBy('id')
    .limit(PROBE_RESULTS_PER_PASS);
  if (indicator.probe.name) q = q.where('probe', '=', indicator.probe.name);
  const rows = await q.execute();
  if (rows.length === 0) return counted;
  const byMinute = new Map<number, { good: number; total: number }>();
  for (const r of rows) {
    const minute = Math.floor(Number(r.at) / MINUTE) * MINUTE;
    const c = byMinute.get(minute) ?? { good: 0, total: 0 };
    const fast = indicator.probe.latencyBelow === undefined || r.latency_ms < indicator.probe.latencyBelow;
    c.total += 1;
    if (r.ok === 1 && fast) c.good += 1;
    byMinute.set(minute, c);
  }
  const last = Number(rows.at(-1)!.id);
  await db.transaction().execute(async (tx) => {
    for (const [minute, c] of byMinute) await addSliEvents(tx, slo.name, minute, c.good, c.total);
    await tx.updateTable('slo_state').set({ probe_results_counted: last }).where('slo', '=', slo.name).execute();
  });
  return last;
}

/** Each SLO's last evaluation as the evaluator stored it (null: not evaluated yet); all SLOs when no names are given. */
export async function lastEvaluations(db: DbOrTx, names?: readonly string[]): Promise<Map<string, SloStatus | null>> {
  if (names && names.length === 0) return new Map();
  let q = db.selectFrom('slo_state').select(['slo', 'status']);
  if (names) q = q.where('slo', 'in', [...names]);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.slo, r.status ? (JSON.parse(r.status) as SloStatus) : null]));
}
