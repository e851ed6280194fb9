import type { Store, DbOrTx } from './store.js';
import type { NewWorkRow, WorkRow } from './schema.js';

export interface WorkItem {
  kind: string;
  subject: string;
  payload?: unknown;
  runAt?: number;
  idempotencyKey?: string;
}

// Work is enqueued inside the caller's transaction, so it exists exactly when
// the data that caused it was committed.
export async function enqueueWork(tx: DbOrTx, items: WorkItem[], now: number): Promise<void> {
  if (items.length === 0) return;
  const rows: NewWorkRow[] = items.map((item) => ({
    kind: item.kind,
    subject: item.subject,
    payload: JSON.stringify(item.payload ?? {}),
    status: 'pending',
    run_at: item.runAt ?? now,
    lease_owner: null,
    lease_expires_at: null,
    attempts: 0,
    idempotency_key: item.idempotencyKey ?? null,
    last_error: null,
    created_at: now,
    finished_at: null,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await tx.insertInto('work').values(rows.slice(i, i + 500)).execute();
  }
}

/**
 * Leases up to `limit` due items of a kind to `owner`. An item whose lease
 * expired (its worker died) is claimable again. On PostgreSQL, SKIP LOCKED
 * lets replicas claim side by side without waiting on each other.
 */
export async function claimWork(
  store: Store,
  opts: { kind: string; owner: string; leaseMs: number; limit: number; now: number },
): Promise<WorkRow[]> {
  const { kind, owner, leaseMs, limit, now } = opts;
  return store.db.transaction().execute(async (tx) => {
    let due = tx
      .selectFrom('work')
      .select('id')
      .where('kind', '=', kind)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'leased'), eb('lease_expires_at', '<=', now)]),
        ]),
      )
      .orderBy('id')
      .limit(limit);
    if (store.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return tx
      .updateTable('work')
      .set((eb) => ({
        status: 'leased',
        lease_owner: owner,
        lease_expires_at: now + leaseMs,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
}

/** Records the outcome; only the current lease holder may, so a worker whose lease was taken over cannot overwrite the new owner's result. */
export async function finishWork(
  db: DbOrTx,
  opts: { id: number; owner: string; now: number; error?: string },
): Promise<boolean> {
  const result = await db
    .updateTable('work')
    .set({
      status: opts.error === undefined ? 'done' : 'failed',
      finished_at: opts.now,
      last_error: opts.error ?? null,
      lease_expires_at: null,
    })
    .where('id', '=', opts.id)
    .where('lease_owner', '=', opts.owner)
    .where('status', '=', 'leased')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Extends a lease its owner still holds. A worker renews while it works, so
 * only a dead one's items pass to another; returns false if the lease was
 * already taken over.
 */
export async function renewLease(db: DbOrTx, opts: { id: number; owner: string; leaseMs: number; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('work')
    .set({ lease_expires_at: opts.now + opts.leaseMs })
    .where('id', '=', opts.id)
    .where('lease_owner', '=', opts.owner)
    .where('status', '=', 'leased')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Cancels a subject's items that no worker has claimed yet; returns how many. */
export async function cancelPendingWork(db: DbOrTx, opts: { kind: string; subject: string; now: number; why: string }): Promise<number> {
  const result = await db
    .updateTable('work')
    .set({ status: 'done', finished_at: opts.now, last_error: `cancelled: ${opts.why}` })
    .where('kind', '=', opts.kind)
    .where('subject', '=', opts.subject)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Whether another item of the subject is leased to a live worker right now (not `exceptId`). */
export async function subjectHeldElsewhere(db: DbOrTx, opts: { subject: string; kinds: readonly string[]; exceptId: number; now: number }): Promise<boolean> {
  const row = await db
    .selectFrom('work')
    .select('id')
    .where('subject', '=', opts.subject)
    .where('kind', 'in', [...opts.kinds])
    .where('status', '=', 'leased')
    .where('lease_expires_at', '>', opts.now)
    .where('id', '<>', opts.exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function pendingWork(db: DbOrTx, kind?: string): Promise<WorkRow[]> {
  let q = db.selectFrom('work').selectAll().where('status', 'in', ['pending', 'leased']);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('id').execute();
}
