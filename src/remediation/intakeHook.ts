import type { ConfigDoc } from '../config/index.js';
import type { FiringAlert, FiringHook } from '../intake/ingest.js';
import type { StoreDialect, Tx } from '../store/store.js';
import { handRefusalToHuman } from './refusal.js';
import { enqueueWork } from '../store/workQueue.js';
import { audit } from './audit.js';
import { planRemediation } from './plan.js';
import type { RunbookSpec } from './runbookKind.js';
import { chooseRunbook } from './runbookMatching.js';

export const ACTIVE_STATUSES = ['pending', 'awaiting_approval', 'running', 'verifying'] as const;

/**
 * The intake hook: a firing, unsilenced alert that matches a runbook gets
 * its remediation in the same transaction as the alert. A second alert for
 * the same (runbook, target) attaches to the active one.
 */
export function remediationIntakeHook(runbooks: ConfigDoc<RunbookSpec>[], onCreated?: () => void, dialect: StoreDialect = 'sqlite'): FiringHook {
  return async (tx, alerts, now) => {
    if (runbooks.length === 0) return;
    for (const alert of alerts) {
      if (await remediationForAlert(tx, dialect, runbooks, alert, now)) onCreated?.();
    }
  };
}

/** Returns true when it created a remediation for a worker to run. */
async function remediationForAlert(tx: Tx, dialect: StoreDialect, runbooks: ConfigDoc<RunbookSpec>[], alert: FiringAlert, now: number): Promise<boolean> {
  const choice = chooseRunbook(runbooks, alert);
  if (!choice.chosen) return false;
  const runbook = runbooks.find((r) => r.name === choice.chosen)!;
  const why = choice.verdicts[0]!.reason;
  const planned = planRemediation(runbook, alert);
  const base = {
    runbook: runbook.name,
    service: alert.service,
    dry_run: runbook.spec.safety.dryRun ? 1 : 0,
    alert_id: alert.id,
    alert_ids: JSON.stringify([alert.id]),
    rung: 0,
    step_index: 0,
    step_in_progress: 0,
    verify_deadline: null,
    approval_deadline: null,
    approval: null,
    manual_minutes: Math.round(runbook.spec.manualMinutes),
    created_at: now,
    updated_at: now,
    started_at: null,
  };
  if (!planned.ok) {
    // A refusal is recorded, and unless the runbook says skip, a human is told (one incident per cause).
    const row = await tx
      .insertInto('remediations')
      .values({ ...base, target: planned.target, scope: null, status: 'skipped', reason: planned.reason, plan: '{}', finished_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(tx, { remediationId: row.id, alertId: alert.id, kind: 'skipped', message: planned.reason }, now);
    if (runbook.spec.safety.onRefusal === 'escalate') {
      const incident = await handRefusalToHuman(tx, dialect, { runbook: runbook.name, cause: planned.cause, reason: planned.reason, service: alert.service, remediationId: row.id, alertIds: [alert.id] }, now);
      await tx.updateTable('remediations').set({ status: 'escalated', reason: `${planned.reason}; handed to a human (incident ${incident})` }).where('id', '=', row.id).execute();
      await audit(tx, { remediationId: row.id, alertId: alert.id, kind: 'escalated', message: `refused, handed to a human (incident ${incident})`, data: { incident } }, now);
    }
    return false;
  }
  const active = await tx
    .selectFrom('remediations')
    .select(['id', 'alert_ids'])
    .where('runbook', '=', runbook.name)
    .where('target', '=', planned.plan.target)
    .where('status', 'in', [...ACTIVE_STATUSES])
    .executeTakeFirst();
  if (active) {
    const ids = JSON.parse(active.alert_ids) as number[];
    if (!ids.includes(alert.id)) ids.push(alert.id);
    await tx.updateTable('remediations').set({ alert_ids: JSON.stringify(ids), updated_at: now }).where('id', '=', active.id).execute();
    await audit(tx, { remediationId: active.id, alertId: alert.id, kind: 'attached', message: `alert ${alert.id} attached: a remediation of ${planned.plan.target} by ${runbook.name} is already under way` }, now);
    return false;
  }
  const row = await tx
    .insertInto('remediations')
    .values({ ...base, target: planned.plan.target, scope: planned.plan.scope, status: 'pending', reason: 'waiting for a worker', plan: JSON.stringify(planned.plan), finished_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(tx, { remediationId: row.id, alertId: alert.id, kind: 'matched', message: `runbook ${runbook.name} matched alert ${alert.id}: ${why}`, data: { verdicts: choice.verdicts } }, now);
  await enqueueWork(tx, [{ kind: 'remediation.run', subject: String(row.id) }], now);
  return true;
}
