import type { DbOrTx } from '../store/store.js';
import type { FaultKind } from './faultKinds.js';
import { FAULT_LEASE_MS, markReverted, openFaults } from './faultLeases.js';
import { mayRunExperiment, type GuardAnswer } from './runGuard.js';

export interface ChaosRunStart {
  title: string;
  service: string | null;
  blastRadius?: number | undefined;
  maxBlastRadius?: number | undefined;
  /** alerts raised during the run page as usual (default: their incidents are tickets) */
  page?: boolean | undefined;
  /** the experiment as run, secrets redacted */
  experiment?: Record<string, unknown> | undefined;
  /** who started it, from the credential (or the GameDay that scheduled it) */
  startedBy: string;
  /** the replica running it (default: whoever started it) */
  owner?: string | undefined;
  kind?: 'experiment' | 'sweep' | undefined;
  experimentName?: string | null | undefined;
  gameDay?: string | null | undefined;
}

export type StartedRun = { allowed: true; id: number } | { allowed: false; id: number; code: Extract<GuardAnswer, { allow: false }>['code']; reason: string };

/**
 * A run begins: the guard decides, and the answer is recorded either way
 * (a refusal is kept with the runs, so "why did the game day not run" has
 * an answer). An admitted run holds a lease its runner must renew.
 */
export async function startChaosRun(db: DbOrTx, now: number, start: ChaosRunStart): Promise<StartedRun> {
  const verdict = await mayRunExperiment(db, { service: start.service, blastRadius: start.blastRadius, maxBlastRadius: start.maxBlastRadius });
  const row = await db
    .insertInto('chaos_runs')
    .values({
      title: start.title,
      service: start.service,
      status: verdict.allow ? 'running' : 'refused',
      deviated: 0,
      pages: start.page ? 1 : 0,
      started_by: start.startedBy,
      owner: start.owner ?? start.startedBy,
      lease_expires_at: now + FAULT_LEASE_MS,
      started_at: now,
      ended_at: verdict.allow ? null : now,
      experiment: JSON.stringify(start.experiment ?? {}),
      journal: verdict.allow ? null : JSON.stringify({ refused: verdict.reason }),
      kind: start.kind ?? 'experiment',
      experiment_name: start.experimentName ?? null,
      game_day: start.gameDay ?? null,
      max_blast_radius: start.maxBlastRadius ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  return verdict.allow ? { allowed: true, id } : { allowed: false, id, code: verdict.code, reason: verdict.reason };
}

/** Undoes one recorded fault with its kind's revert, then marks it (by: a person, "run ended", "rollback"). */
export async function revertFault(db: DbOrTx, kinds: Readonly<Record<string, FaultKind<any>>>, fault: { id: number; kind: string; target: Record<string, unknown> }, by: string, now: number): Promise<void> {
  await kinds[fault.kind]?.revert(fault.target);
  await markReverted(db, fault.id, by, now);
}

/** A run ends with its journal: whatever it injected and did not roll back is reverted first. */
export async function endChaosRun(db: DbOrTx, kinds: Readonly<Record<string, FaultKind<any>>>, clock: { now(): number }, id: number, journal: { status: string; deviated: boolean }): Promise<void> {
  for (const fault of await openFaults(db, { runId: id })) await revertFault(db, kinds, fault, 'run ended', clock.now());
  await db.updateTable('chaos_runs').set({ status: journal.status, deviated: journal.deviated ? 1 : 0, ended_at: clock.now(), journal: JSON.stringify(journal) }).where('id', '=', id).execute();
}
