import type { DbOrTx } from '../store/store.js';

export interface AutomationState {
  paused: boolean;
  changedBy: string | null;
  reason: string | null;
  changedAt: string | null;
}

/** The kill switch: while paused nothing acts; remediations wait, and go through every gate once it is resumed. */
export async function automationState(db: DbOrTx): Promise<AutomationState> {
  const row = await db.selectFrom('automation_switch').selectAll().where('name', '=', 'remediation').executeTakeFirst();
  if (!row) return { paused: false, changedBy: null, reason: null, changedAt: null };
  return { paused: row.paused === 1, changedBy: row.changed_by, reason: row.reason, changedAt: new Date(row.changed_at).toISOString() };
}

export async function setAutomationPaused(db: DbOrTx, opts: { paused: boolean; by: string; reason: string; now: number }): Promise<void> {
  const values = { paused: opts.paused ? 1 : 0, changed_by: opts.by, reason: opts.reason, changed_at: opts.now };
  await db
    .insertInto('automation_switch')
    .values({ name: 'remediation', ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}

/** On resume: remediations that waited behind the switch look again now, not at their next recheck. Returns how many. */
export async function releasePausedRemediations(db: DbOrTx, now: number): Promise<number> {
  const waiting = await db.selectFrom('remediations').select('id').where('status', '=', 'pending').execute();
  if (waiting.length === 0) return 0;
  const result = await db
    .updateTable('work')
    .set({ run_at: now })
    .where('kind', '=', 'remediation.run')
    .where('status', '=', 'pending')
    .where('run_at', '>', now)
    .where('subject', 'in', waiting.map((w) => String(w.id)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
