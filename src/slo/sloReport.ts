import type { DbOrTx } from '../store/store.js';
import { budgetSeriesKey, lastEvaluations } from './sliStore.js';
import type { SloDoc } from './sloKind.js';

export interface SloReportLine {
  name: string;
  service: string;
  objective: number;
  /** good / total over the report's window; null without events */
  achieved: number | null;
  /** events counted, or slices when the SLO budgets slices */
  events: number;
  /** whether the window's events met the objective; null without events */
  met: boolean | null;
  /** the SLO's own window, at its last evaluation */
  budgetRemaining: number | null;
  tier: string | null;
}

const HOUR = 3_600_000;

/** The SLOs of a team's services over a report's window (whole hours), beside their budget now. */
export async function sloReportLines(db: DbOrTx, slos: SloDoc[], since: number, until: number): Promise<SloReportLine[]> {
  if (slos.length === 0) return [];
  const names = slos.map((s) => s.name);
  // What each SLO budgets: its events, or its slices (Timeslices, RatioTimeslices), judged against its objective alike.
  const keys = slos.map((s) => budgetSeriesKey(s));
  const sums = await db
    .selectFrom('sli_hours')
    .select(['slo', (eb) => eb.fn.sum<number | string>('good').as('good'), (eb) => eb.fn.sum<number | string>('total').as('total')])
    .where('slo', 'in', keys)
    .where('hour', '>=', Math.floor(since / HOUR) * HOUR)
    .where('hour', '<', until)
    .groupBy('slo')
    .execute();
  const counted = new Map(sums.map((r) => [r.slo, { good: Number(r.good), total: Number(r.total) }]));
  const status = await lastEvaluations(db, names);
  return slos.map((s, i) => {
    const c = counted.get(keys[i]!);
    const achieved = c && c.total > 0 ? c.good / c.total : null;
    const st = status.get(s.name) ?? null;
    return {
      name: s.name,
      service: s.spec.service,
      objective: s.spec.objective,
      achieved,
      events: c?.total ?? 0,
      met: achieved === null ? null : achieved * 100 >= s.spec.objective,
      budgetRemaining: st?.budgetRemaining ?? null,
      tier: st?.tier?.name ?? null,
    };
  });
}
