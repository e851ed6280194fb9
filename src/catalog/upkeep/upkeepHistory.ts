import { z } from 'zod';
import type { CheckOutcome } from '../checks/checkOutcome.js';
import type { DbOrTx } from '../../store/store.js';

/**
 * Every upkeep outcome is kept (table upkeep_measurements), so that the
 * scorecard can show a trend and when a check started failing, not only its
 * last verdict.
 */

export interface UpkeepMeasurement {
  id: number;
  service: string;
  check: string;
  measuredAt: number;
  outcome: CheckOutcome;
}

const checkOutcomeSchema = z.object({
  status: z.enum(['passed', 'failed', 'not_measured']),
  fact: z.string(),
  source: z.string(),
  measuredAt: z.number(),
  evidence: z.record(z.string(), z.unknown()).optional(),
});

export async function recordUpkeepOutcome(db: DbOrTx, service: string, check: string, outcome: CheckOutcome): Promise<number> {
  const row = await db
    .insertInto('upkeep_measurements')
    .values({ service, check, measured_at: outcome.measuredAt, outcome: JSON.stringify(outcome) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The check's outcomes for the service measured at or after sinceMs, oldest first. */
export async function upkeepHistory(db: DbOrTx, service: string, check: string, sinceMs: number): Promise<UpkeepMeasurement[]> {
  const rows = await db
    .selectFrom('upkeep_measurements')
    .selectAll()
    .where('service', '=', service)
    .where('check', '=', check)
    .where('measured_at', '>=', sinceMs)
    .orderBy('measured_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), service: r.service, check: r.check, measuredAt: Number(r.measured_at), outcome: parseOutcome(r.outcome, Number(r.measured_at)) }));
}

/** A row that no longer reads as an outcome (written by a buggy version, edited by hand) shows as not measured, never as passed. */
function parseOutcome(text: string, measuredAt: number): CheckOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = checkOutcomeSchema.safeParse(json);
  if (parsed.success) {
    const { evidence, ...rest } = parsed.data;
    return evidence === undefined ? rest : { ...rest, evidence };
  }
  return { status: 'not_measured', fact: 'the stored outcome of this measurement cannot be read', source: 'upkeep_measurements', measuredAt };
}
