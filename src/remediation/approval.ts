import type { DbOrTx, Store } from '../store/store.js';
import { cancelPendingWork, enqueueWork } from '../store/workQueue.js';
import { audit } from './audit.js';

/** The approval deadline waits as a pending run item; an answer makes it moot. */
function cancelPendingRuns(tx: DbOrTx, id: number, now: number): Promise<number> {
  return cancelPendingWork(tx, { kind: 'remediation.run', subject: String(id), now, why: 'the approval was answered' });
}

export type ApprovalOutcome = { ok: true } | { ok: false; code: 'not_found' | 'not_awaiting'; message: string };

/**
 * A human's answer to a remediation that waits for approval. Only a
 * remediation in awaiting_approval takes one, and the change is conditional
 * on that status, so of answers arriving at once on several replicas exactly
 * one wins; a late or repeated answer changes nothing. The approval
 * deadline's work item is cancelled with the answer: left behind, it would
 * find the approved step running and take it for a crash.
 */
export async function answerApproval(
  store: Store,
  opts: { id: number; decision: 'approve' | 'reject'; by: string; reason: string; now: number },
): Promise<ApprovalOutcome> {
  return store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('remediations').select(['id', 'status', 'alert_id']).where('id', '=', opts.id).executeTakeFirst();
    if (!row) return { ok: false, code: 'not_found', message: `no remediation with id ${opts.id}` };
    if (row.status !== 'awaiting_approval') return { ok: false, code: 'not_awaiting', message: `remediation ${opts.id} is ${row.status}, not awaiting approval` };
    const approval = JSON.stringify({ decision: opts.decision, by: opts.by, reason: opts.reason, at: new Date(opts.now).toISOString() });
    const approved = opts.decision === 'approve';
    const changed = await tx
      .updateTable('remediations')
      .set({
        approval,
        status: approved ? 'pending' : 'skipped',
        reason: approved ? `approved by ${opts.by}: ${opts.reason}` : `approval rejected by ${opts.by}: ${opts.reason}`,
        updated_at: opts.now,
        ...(approved ? {} : { finished_at: opts.now }),
      })
      .where('id', '=', opts.id)
      .where('status', '=', 'awaiting_approval')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) return { ok: false, code: 'not_awaiting', message: `remediation ${opts.id} was answered meanwhile` };
    await cancelPendingRuns(tx, opts.id, opts.now);
    await audit(tx, { remediationId: opts.id, alertId: row.alert_id, kind: 'gate', message: `${approved ? 'approved' : 'rejected'} by ${opts.by}: ${opts.reason}` }, opts.now);
    if (approved) await enqueueWork(tx, [{ kind: 'remediation.run', subject: String(opts.id) }], opts.now);
    return { ok: true };
  });
}
