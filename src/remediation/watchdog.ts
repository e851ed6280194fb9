import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { DbOrTx } from '../store/store.js';
import { enqueueWork } from '../store/workQueue.js';
import { audit } from './audit.js';
import { ACTIVE_STATUSES } from './intakeHook.js';

/** Long past any gap between a status change and the work item that follows it. */
export const ORPHAN_AFTER_MS = 2 * 60_000;

/**
 * Finds remediations that are under way but have no work item pending or
 * leased, and gives each one back to the workers: whatever lost its item
 * (a bug, a row edited by hand, an item finished without moving it on), the
 * remediation must not wait forever. A run item resumes it as after a crash;
 * a verifying one is checked again; one awaiting approval gets its deadline
 * back. Runs on the leader.
 */
export async function recoverOrphanedRemediations(db: DbOrTx, now: number, logger?: Logger): Promise<number> {
  const orphans = await db
    .selectFrom('remediations as r')
    .select(['r.id', 'r.status', 'r.alert_id', 'r.approval_deadline'])
    .where('r.status', 'in', [...ACTIVE_STATUSES])
    .where('r.updated_at', '<', now - ORPHAN_AFTER_MS)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('work as w')
            .select('w.id')
            // Work names its remediation by id as text.
            .where('w.subject', '=', sql<string>`cast(${sql.ref('r.id')} as text)`)
            .where('w.kind', 'in', ['remediation.run', 'remediation.verify'])
            .where('w.status', 'in', ['pending', 'leased']),
        ),
      ),
    )
    .limit(100)
    .execute();
  for (const r of orphans) {
    const kind = r.status === 'verifying' ? 'remediation.verify' : 'remediation.run';
    const runAt = r.status === 'awaiting_approval' && r.approval_deadline !== null ? r.approval_deadline : now;
    await enqueueWork(db, [{ kind, subject: String(r.id), runAt }], now);
    await audit(db, { remediationId: r.id, alertId: r.alert_id, kind: 'resumed', message: `the watchdog found it ${r.status} with no work item for ${Math.round(ORPHAN_AFTER_MS / 60_000)}m and gave it back to the workers` }, now);
    logger?.warn({ remediation: r.id, status: r.status }, 'recovered a remediation that had no work item');
  }
  return orphans.length;
}
