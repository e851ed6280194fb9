import type { DbOrTx } from '../store/store.js';

export interface Handover {
  title: string;
  service: string | null;
  remediationId: number | null;
  alertIds: number[];
  /** everything automation knows: what matched, what ran, what it saw */
  story: string[];
}

/**
 * Hands a problem to a human. For now that opens an incident with the whole
 * story; paging (schedules, escalation policies, notifications) extends this
 * one function.
 */
export async function handOverToHuman(db: DbOrTx, handover: Handover, now: number): Promise<number> {
  const row = await db
    .insertInto('incidents')
    .values({
      title: handover.title,
      status: 'open',
      service: handover.service,
      remediation_id: handover.remediationId,
      alert_ids: JSON.stringify(handover.alertIds),
      story: JSON.stringify(handover.story),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function listIncidents(db: DbOrTx) {
  const rows = await db.selectFrom('incidents').selectAll().orderBy('id', 'desc').limit(200).execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    status: r.status,
    service: r.service,
    remediationId: r.remediation_id,
    alertIds: JSON.parse(r.alert_ids) as number[],
    story: JSON.parse(r.story) as string[],
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
