import type { DbOrTx } from '../store/store.js';

/** A run's weight halves every 30 days: last week's game day says more than last spring's. */
const HALF_LIFE_MS = 30 * 24 * 3600_000;
/** Runs older than this say nothing any more. */
const WINDOW_MS = 180 * 24 * 3600_000;

export interface ReliabilityScore {
  /** 0..100, or null when no finished experiment targets the service */
  score: number | null;
  runs: number;
  lastRunAt: number | null;
}

export interface RunOutcome {
  status: string;
  deviated: boolean;
  endedAt: number;
}

/**
 * How a service fares under its experiments: the share that completed
 * without deviating, each weighted by its age. A run that failed, aborted
 * or deviated counts against; one interrupted (its runner died) or refused
 * says nothing about the service and is left out.
 */
export function reliabilityScore(runs: readonly RunOutcome[], now: number): ReliabilityScore {
  let weight = 0;
  let passed = 0;
  let counted = 0;
  let last: number | null = null;
  for (const r of runs) {
    if (!['completed', 'failed', 'aborted'].includes(r.status)) continue;
    const age = Math.max(0, now - r.endedAt);
    if (age > WINDOW_MS) continue;
    const w = 0.5 ** (age / HALF_LIFE_MS);
    weight += w;
    if (r.status === 'completed' && !r.deviated) passed += w;
    counted++;
    last = last === null ? r.endedAt : Math.max(last, r.endedAt);
  }
  return { score: weight === 0 ? null : Math.round((100 * passed) / weight), runs: counted, lastRunAt: last };
}

/** Every service's score, from its finished experiment runs (sweeps are measurements of edges, not pass or fail). */
export async function reliabilityScores(db: DbOrTx, now: number): Promise<Map<string, ReliabilityScore>> {
  const rows = await db
    .selectFrom('chaos_runs')
    .select(['service', 'status', 'deviated', 'ended_at'])
    .where('kind', '=', 'experiment')
    .where('service', 'is not', null)
    .where('ended_at', '>', now - WINDOW_MS)
    .execute();
  const byService = new Map<string, RunOutcome[]>();
  for (const r of rows) byService.set(r.service!, [...(byService.get(r.service!) ?? []), { status: r.status, deviated: r.deviated === 1, endedAt: Number(r.ended_at) }]);
  return new Map([...byService].map(([service, runs]) => [service, reliabilityScore(runs, now)]));
}
