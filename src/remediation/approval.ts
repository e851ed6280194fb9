import type { Store } from '../store/store.js';
import { enqueueWork } from '../store/workQueue.js';
import { audit } from './audit.js';

export type ApprovalOutcome = { ok: true } | { ok: false; code: 'not_found' | 'not_awaiting'; message: string };

/**
 * A human's answer to a remediation that waits for approval. Only a
 * remediation in awaiting_approval takes one, so a late or repeated answer
 * changes nothing.
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
    await tx
      .updateTable('remediations')
      .set({
        approval,
        status: approved ? 'pending' : 'skipped',
        reason: approved ? `approved by ${opts.by}: ${opts.reason}` : `approval rejected by ${opts.by}: ${opts.reason}`,
        updated_at: opts.now,
        ...(approved ? {} : { finished_at: opts.now }),
      })
      .where('id', '=', opts.id)
      .execute();
    await audit(tx, { remediationId: opts.id, alertId: row.alert_id, kind: 'gate', message: `${approved ? 'approved' : 'rejected'} by ${opts.by}: ${opts.reason}` }, opts.now);
    if (approved) await enqueueWork(tx, [{ kind: 'remediation.run', subject: String(opts.id) }], opts.now);
    return { ok: true };
  });
}
