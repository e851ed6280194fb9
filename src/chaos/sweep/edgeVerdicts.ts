import type { DbOrTx } from '../../store/store.js';

export type EdgeVerdict = 'critical' | 'degradable' | 'no_effect';
export type FaultName = 'blackhole' | 'latency' | 'errors';
/** broke: the caller's steady state failed; degraded: it held with less content or more latency; held: no difference */
export type FaultOutcomeKind = 'broke' | 'degraded' | 'held';

export interface FaultOutcome {
  fault: FaultName | string;
  outcome: FaultOutcomeKind;
  /** what was seen, for a person: "GET / answered 504 after 1003 ms" */
  detail: string;
  /** how long the fault was on (settling and sampling), ms */
  durationMs?: number;
}

export interface EdgeFinding {
  caller: string;
  callee: string;
  verdict: EdgeVerdict;
  /** what the caller's Service declares of the edge */
  declared: 'required' | 'optional' | null;
  faults: FaultOutcome[];
}

export interface StoredEdgeFinding extends EdgeFinding {
  runId: number;
  measuredAt: number;
}

export async function recordEdgeVerdicts(db: DbOrTx, runId: number, findings: readonly EdgeFinding[], now: number): Promise<void> {
  if (findings.length === 0) return;
  await db
    .insertInto('chaos_edge_verdicts')
    .values(findings.map((f) => ({ run_id: runId, caller: f.caller, callee: f.callee, verdict: f.verdict, declared: f.declared, faults: JSON.stringify(f.faults), measured_at: now })))
    .execute();
}

/** The newest verdict of every edge ever swept, keyed `caller>callee`. */
export async function latestEdgeVerdicts(db: DbOrTx): Promise<Map<string, StoredEdgeFinding>> {
  const rows = await db.selectFrom('chaos_edge_verdicts').selectAll().orderBy('measured_at').orderBy('id').execute();
  const latest = new Map<string, StoredEdgeFinding>();
  for (const r of rows) {
    latest.set(edgeKey(r.caller, r.callee), {
      caller: r.caller,
      callee: r.callee,
      verdict: r.verdict as EdgeVerdict,
      declared: r.declared as EdgeFinding['declared'],
      faults: JSON.parse(r.faults) as FaultOutcome[],
      runId: Number(r.run_id),
      measuredAt: Number(r.measured_at),
    });
  }
  return latest;
}

/** One sweep's findings, in the order they were measured. */
export async function sweepFindings(db: DbOrTx, runId: number): Promise<StoredEdgeFinding[]> {
  const rows = await db.selectFrom('chaos_edge_verdicts').selectAll().where('run_id', '=', runId).orderBy('id').execute();
  return rows.map((r) => ({ caller: r.caller, callee: r.callee, verdict: r.verdict as EdgeVerdict, declared: r.declared as EdgeFinding['declared'], faults: JSON.parse(r.faults) as FaultOutcome[], runId: Number(r.run_id), measuredAt: Number(r.measured_at) }));
}

export function edgeKey(caller: string, callee: string): string {
  return `${caller}>${callee}`;
}
