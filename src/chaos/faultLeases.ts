import type { Logger } from 'pino';
import type { DbOrTx } from '../store/store.js';

/** How long a fault outlives its runner's last renewal; the runner renews every third of it. */
export const FAULT_LEASE_MS = 15_000;

/** Undoes one kind of fault (removes a toxic, heals a lab host); the target and spec are what was recorded. */
export type FaultReverter = (target: Record<string, unknown>, spec: Record<string, unknown>) => Promise<void>;

export interface InjectedFault {
  runId: number | null;
  kind: string;
  target: Record<string, unknown>;
  spec: Record<string, unknown>;
}

/** Records a fault before it is injected, so a runner that dies in between still leaves something to revert. */
export async function recordFault(db: DbOrTx, fault: InjectedFault, now: number): Promise<number> {
  const row = await db
    .insertInto('chaos_faults')
    .values({ run_id: fault.runId, kind: fault.kind, target: JSON.stringify(fault.target), spec: JSON.stringify(fault.spec), injected_at: now, lease_expires_at: now + FAULT_LEASE_MS, reverted_at: null, reverted_by: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function markReverted(db: DbOrTx, faultId: number, by: string, now: number): Promise<void> {
  await db.updateTable('chaos_faults').set({ reverted_at: now, reverted_by: by }).where('id', '=', faultId).where('reverted_at', 'is', null).execute();
}

/** The runner is alive: its run and every fault it still holds get a new lease. */
export async function renewRunLease(db: DbOrTx, runId: number, now: number): Promise<void> {
  await db.updateTable('chaos_runs').set({ lease_expires_at: now + FAULT_LEASE_MS }).where('id', '=', runId).where('status', '=', 'running').execute();
  await db.updateTable('chaos_faults').set({ lease_expires_at: now + FAULT_LEASE_MS }).where('run_id', '=', runId).where('reverted_at', 'is', null).execute();
}

/** Faults not yet reverted, oldest first: all of them, one run's, or one by id. */
export async function openFaults(db: DbOrTx, only: { runId?: number; id?: number } = {}) {
  let query = db.selectFrom('chaos_faults').selectAll().where('reverted_at', 'is', null);
  if (only.runId !== undefined) query = query.where('run_id', '=', only.runId);
  if (only.id !== undefined) query = query.where('id', '=', only.id);
  const rows = await query.orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), kind: r.kind, target: JSON.parse(r.target) as Record<string, unknown>, spec: JSON.parse(r.spec) as Record<string, unknown>, injectedAt: Number(r.injected_at), leaseExpiresAt: Number(r.lease_expires_at) }));
}

/**
 * The dead man's switch, a leader task: every fault whose lease ran out
 * (its runner was killed, or lost the store) is reverted, and a run whose
 * runner is gone ends as interrupted. A revert that fails is tried again on
 * the next pass; it is logged, never dropped.
 */
export async function revertExpiredFaults(db: DbOrTx, reverters: Readonly<Record<string, FaultReverter>>, now: number, logger?: Pick<Logger, 'warn' | 'info'>): Promise<number> {
  const due = (await openFaults(db)).filter((f) => f.leaseExpiresAt < now);
  let reverted = 0;
  for (const fault of due) {
    const revert = reverters[fault.kind];
    if (!revert) {
      logger?.warn({ fault: fault.id, kind: fault.kind }, 'no way to revert this kind of chaos fault here; it stays open');
      continue;
    }
    try {
      await revert(fault.target, fault.spec);
      await markReverted(db, fault.id, 'lease expired', now);
      logger?.info({ fault: fault.id, kind: fault.kind, run: fault.runId }, 'reverted a chaos fault whose runner is gone');
      reverted++;
    } catch (err) {
      logger?.warn({ fault: fault.id, kind: fault.kind, err: (err as Error).message }, 'reverting a chaos fault failed; trying again next pass');
    }
  }
  await db
    .updateTable('chaos_runs')
    .set({ status: 'interrupted', ended_at: now })
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', now)
    .execute();
  return reverted;
}
