import type { Db } from '../store/store.js';
import { sql } from 'kysely';
import { evaluateSlo, type SloStatus } from './burnRate.js';
import type { SloDoc } from './sloKind.js';
import { budgetSeriesKey, storedSeries } from './sliStore.js';
import { describeWindow } from './sloWindow.js';
import { sliceLength } from './timeslices.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const hours = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}m`);

/** An SLO as the API and CLI give it. */
export function sloSummary(slo: SloDoc, status: SloStatus | null) {
  return {
    name: slo.name,
    service: slo.spec.service,
    objective: slo.spec.objective,
    window: describeWindow(slo.spec.window),
    indicator: indicatorKind(slo),
    budgetRemaining: status ? round(status.budgetRemaining) : null,
    tier: status?.tier?.name ?? null,
    urgency: status?.tier?.urgency ?? null,
    evaluatedAt: iso(status?.at),
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function statusView(slo: SloDoc, status: SloStatus) {
  // Slices of RatioTimeslices are fractions: rounded, so 3 bad slices do not read 2.9999999999.
  const count = slo.spec.budgetingMethod === 'Occurrences' ? (x: number) => x : round;
  const slice = sliceLength(slo.spec);
  return {
    ...sloSummary(slo, status),
    description: slo.spec.description ?? null,
    budgetingMethod: slo.spec.budgetingMethod,
    /** the slice length and (Timeslices) what makes a slice good; null with Occurrences */
    timeslice: slice === null ? null : { window: hours(slice), objective: slo.spec.timeslice?.objective ?? null },
    /** what good, bad and total count: events (Occurrences) or slices */
    counted: slo.spec.budgetingMethod === 'Occurrences' ? ('events' as const) : ('slices' as const),
    windowStart: iso(status.window.start),
    windowEnd: iso(status.window.end),
    events: { good: count(status.good), bad: count(status.bad), total: status.total, allowedBad: round(status.allowedBad) },
    exhausted: status.exhausted,
    noData: status.noData,
    burn: status.burn.map((b) => ({
      tier: b.tier,
      threshold: b.threshold,
      longWindow: hours(b.longMs),
      shortWindow: hours(b.shortMs),
      longBurnRate: round(b.longBurnRate),
      shortBurnRate: round(b.shortBurnRate),
      badInLongWindow: count(b.badInLong),
      firing: b.firing,
    })),
  };
}

/** An SLO evaluated now from the store (read only: the alert is the evaluator's). */
export async function liveStatus(db: Db, slo: SloDoc, now: number): Promise<SloStatus> {
  const state = await db.selectFrom('slo_state').select('known_since').where('slo', '=', slo.name).executeTakeFirst();
  return evaluateSlo(slo.spec, storedSeries(db, budgetSeriesKey(slo), now), now, { knownSince: Number(state?.known_since ?? now) });
}

/**
 * Good and total events per UTC day of the window, for a burn-down; `slo` is
 * the series to read (`budgetSeriesKey`: the SLO's name, or its slices).
 */
export async function dailyHistory(db: Db, slo: string, from: number, to: number) {
  const rows = await db
    .selectFrom('sli_hours')
    .select([sql<number>`hour / 86400000`.as('day'), (eb) => eb.fn.sum<number | string>('good').as('good'), (eb) => eb.fn.sum<number | string>('total').as('total')])
    .where('slo', '=', slo)
    .where('hour', '>=', Math.floor(from / 3_600_000) * 3_600_000)
    .where('hour', '<', to)
    .groupBy(sql`hour / 86400000`)
    .orderBy(sql`hour / 86400000`)
    .execute();
  return rows.map((r) => ({ day: new Date(Number(r.day) * 86_400_000).toISOString().slice(0, 10), good: Number(r.good), total: Number(r.total) }));
}

/** Which kind of indicator an SLO counts: events, probe, heartbeat, prometheus or composite. */
export function indicatorKind(slo: SloDoc): string {
  return Object.keys(slo.spec.indicator)[0]!;
}
