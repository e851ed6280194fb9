import type { DbOrTx } from '../store/store.js';

/**
 * How finished remediations ended, counted by who fixed the problem. The
 * status alone does not say it: a failure storm hands its first target to a
 * human and ends `skipped`, and a remediation a human approved ends
 * `succeeded`. So:
 *
 * - escalated: handed to a human through an incident: status `escalated`, or
 *   any remediation whose audit trail records a hand-over (kind `escalated`,
 *   the storm's first target among them)
 * - succeeded: it fixed the problem; `approvedByHuman` of them only after a
 *   human approved their steps, so those were not fixed without a human
 * - failed: failed and handed to nobody
 * - skipped: did not act and handed to nobody (a gate with onRefusal: skip,
 *   a dry run, a paused engine, an alert that cleared, a rejected approval)
 */
export interface RemediationCounts {
  succeeded: number;
  /** of the succeeded ones, those that waited for a human's approval */
  approvedByHuman: number;
  failed: number;
  escalated: number;
  skipped: number;
}

export const noRemediations = (): RemediationCounts => ({ succeeded: 0, approvedByHuman: 0, failed: 0, escalated: 0, skipped: 0 });

/** Remediations that acted or handed over: the denominator of the auto-remediation rate. */
export const acted = (c: RemediationCounts) => c.succeeded + c.failed + c.escalated;

/** Fixed by automation with no human in the loop. */
export const fixedWithoutHuman = (c: RemediationCounts) => c.succeeded - c.approvedByHuman;

/** fixedWithoutHuman / acted, to 4 decimals; null when none acted. */
export function autoRemediationRate(c: RemediationCounts): number | null {
  const n = acted(c);
  return n === 0 ? null : Math.round((fixedWithoutHuman(c) / n) * 10_000) / 10_000;
}

export interface RemediationOutcomes {
  counts: RemediationCounts;
  /** the runbooks' manualMinutes over the ones that succeeded (approved ones too: automation did the work) */
  minutesSaved: number;
}

const FINISHED = ['succeeded', 'failed', 'escalated', 'skipped'] as const;

export interface OutcomeFilter {
  /** finished_at in [since, until); absent: all time */
  since?: number;
  until?: number;
  /** only these services; absent: every service, and none */
  services?: readonly string[];
}

/** Finished remediations by service (null: those naming no service), each with how it ended. */
export async function remediationOutcomes(db: DbOrTx, filter: OutcomeFilter = {}): Promise<Map<string | null, RemediationOutcomes>> {
  const out = new Map<string | null, RemediationOutcomes>();
  if (filter.services && filter.services.length === 0) return out;
  let rows = db
    .selectFrom('remediations as r')
    .select((eb) => [
      'r.service',
      'r.status',
      'r.manual_minutes',
      eb.case().when('r.approval', 'is not', null).then(1).else(0).end().as('approved'),
      eb
        .case()
        .when(eb.exists(eb.selectFrom('remediation_audit as a').select('a.id').whereRef('a.remediation_id', '=', 'r.id').where('a.kind', '=', 'escalated')))
        .then(1)
        .else(0)
        .end()
        .as('handed'),
    ])
    .where('r.status', 'in', [...FINISHED]);
  if (filter.since !== undefined) rows = rows.where('r.finished_at', '>=', filter.since);
  if (filter.until !== undefined) rows = rows.where('r.finished_at', '<', filter.until);
  if (filter.services) rows = rows.where('r.service', 'in', [...filter.services]);
  const grouped = await db
    .selectFrom(rows.as('x'))
    .select((eb) => ['x.service', 'x.status', 'x.approved', 'x.handed', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('x.manual_minutes').as('minutes')])
    .groupBy(['x.service', 'x.status', 'x.approved', 'x.handed'])
    .execute();
  for (const g of grouped) {
    let o = out.get(g.service);
    if (!o) out.set(g.service, (o = { counts: noRemediations(), minutesSaved: 0 }));
    // PostgreSQL's count and sum are bigint/numeric; Number() reads both stores alike.
    const n = Number(g.n);
    if (Number(g.handed) === 1 || g.status === 'escalated') o.counts.escalated += n;
    else if (g.status === 'succeeded') {
      o.counts.succeeded += n;
      if (Number(g.approved) === 1) o.counts.approvedByHuman += n;
      o.minutesSaved += Number(g.minutes ?? 0);
    } else o.counts[g.status as 'failed' | 'skipped'] += n;
  }
  return out;
}

/** Every service's outcomes added up. */
export function totalOutcomes(byService: Iterable<RemediationOutcomes>): RemediationOutcomes {
  const total = { counts: noRemediations(), minutesSaved: 0 };
  for (const o of byService) {
    for (const k of Object.keys(total.counts) as Array<keyof RemediationCounts>) total.counts[k] += o.counts[k];
    total.minutesSaved += o.minutesSaved;
  }
  return total;
}
