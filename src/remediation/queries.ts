import type { RemediationRow } from '../store/schema.js';
import type { DbOrTx } from '../store/store.js';
import { auditTrail, type AuditRecord } from './audit.js';

export interface RemediationView {
  id: number;
  runbook: string;
  target: string;
  service: string | null;
  status: RemediationRow['status'];
  reason: string;
  dryRun: boolean;
  alertId: number;
  alertIds: number[];
  rung: number;
  manualMinutes: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function remediationView(r: RemediationRow): RemediationView {
  return {
    id: r.id,
    runbook: r.runbook,
    target: r.target,
    service: r.service,
    status: r.status,
    reason: r.reason,
    dryRun: r.dry_run === 1,
    alertId: r.alert_id,
    alertIds: JSON.parse(r.alert_ids) as number[],
    rung: r.rung,
    manualMinutes: r.manual_minutes,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export interface RemediationFilter {
  status?: string[] | undefined;
  runbook?: string | undefined;
  service?: string | undefined;
  target?: string | undefined;
  limit: number;
}

export async function listRemediations(db: DbOrTx, f: RemediationFilter): Promise<RemediationView[]> {
  let q = db.selectFrom('remediations').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.status?.length) q = q.where('status', 'in', f.status as RemediationRow['status'][]);
  if (f.runbook) q = q.where('runbook', '=', f.runbook);
  if (f.service) q = q.where('service', '=', f.service);
  if (f.target) q = q.where('target', '=', f.target);
  return (await q.execute()).map(remediationView);
}

export async function getRemediation(db: DbOrTx, id: number): Promise<(RemediationView & { plan: unknown; timeline: AuditRecord[] }) | null> {
  const row = await db.selectFrom('remediations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return { ...remediationView(row), plan: readablePlan(row.plan), timeline: await auditTrail(db, id) };
}

/** A plan that does not parse is shown as none, so the remediation's story can still be read. */
function readablePlan(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
