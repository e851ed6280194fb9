import type { DbOrTx } from '../store/store.js';

export type AuditKind =
  | 'matched'
  | 'attached'
  | 'skipped'
  | 'gate'
  | 'started'
  | 'step.started'
  | 'step.finished'
  | 'step.log'
  | 'resumed'
  | 'verifying'
  | 'verified'
  | 'verification.failed'
  | 'rung'
  | 'escalated'
  | 'dry-run'
  | 'automation';

export interface AuditEntry {
  remediationId?: number | null;
  alertId?: number | null;
  kind: AuditKind;
  message: string;
  data?: Record<string, unknown>;
}

/** Every decision, including "did not act because…", is a row here. */
export async function audit(db: DbOrTx, entry: AuditEntry, now: number): Promise<void> {
  await db
    .insertInto('remediation_audit')
    .values({
      remediation_id: entry.remediationId ?? null,
      alert_id: entry.alertId ?? null,
      at: now,
      kind: entry.kind,
      message: entry.message,
      data: JSON.stringify(entry.data ?? {}),
    })
    .execute();
}

export interface AuditRecord {
  id: number;
  at: string;
  kind: string;
  message: string;
  alertId: number | null;
  data: Record<string, unknown>;
}

export async function auditTrail(db: DbOrTx, remediationId: number): Promise<AuditRecord[]> {
  const rows = await db.selectFrom('remediation_audit').selectAll().where('remediation_id', '=', remediationId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), kind: r.kind, message: r.message, alertId: r.alert_id, data: JSON.parse(r.data) }));
}
