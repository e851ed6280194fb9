import type { DbOrTx } from '../store/store.js';
import { enqueueWork } from '../store/workQueue.js';
import { incidentEvent } from '../paging/incidentEvents.js';
import { PAGE_WORK } from '../paging/pageWork.js';

export interface Handover {
  title: string;
  service: string | null;
  remediationId: number | null;
  alertIds: number[];
  /** everything automation knows: what matched, what ran, what it saw */
  story: string[];
}

/**
 * Hands a problem to a human: opens an incident with the whole story and
 * starts paging by the service's (or its team's) escalation policy.
 */
export async function handOverToHuman(db: DbOrTx, handover: Handover, now: number): Promise<number> {
  // Many alerts of one service at once are usually one problem: they join
  // the service's open incident instead of paging again.
  const open = handover.service ? await openIncidentOf(db, handover.service, now) : undefined;
  if (open) {
    await attachToIncident(db, open, handover.alertIds, `grouped: ${handover.title}`, handover.story, now);
    return open.id;
  }
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
      team: null,
      escalation_policy: null,
      escalation_step: 0,
      escalation_round: 0,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await incidentEvent(db, id, { kind: 'opened', actor: handover.remediationId ? `remediation ${handover.remediationId}` : 'prodeng', message: `opened: ${handover.title}`, data: { story: handover.story } }, now);
  // Paging starts from the work queue, committed with the incident.
  await enqueueWork(db, [{ kind: PAGE_WORK, subject: String(id), payload: { step: 0, round: 0 } }], now);
  return id;
}

/** How long after an incident opens further trouble of its service joins it. */
export const GROUPING_WINDOW_MS = 30 * 60_000;

export async function openIncidentOf(db: DbOrTx, service: string, now: number) {
  return db
    .selectFrom('incidents')
    .select(['id', 'alert_ids'])
    .where('service', '=', service)
    .where('status', 'in', ['open', 'acknowledged'])
    .where('created_at', '>=', now - GROUPING_WINDOW_MS)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function attachToIncident(db: DbOrTx, incident: { id: number; alert_ids: string }, alertIds: number[], message: string, story: string[], now: number): Promise<void> {
  const ids = JSON.parse(incident.alert_ids) as number[];
  const added = alertIds.filter((a) => !ids.includes(a));
  await db.updateTable('incidents').set({ alert_ids: JSON.stringify([...ids, ...added]), updated_at: now }).where('id', '=', incident.id).execute();
  await incidentEvent(db, incident.id, { kind: 'grouped', actor: 'prodeng', message: `${message}${added.length ? ` (alert ${added.join(', ')})` : ''}`, data: { alertIds: added, story } }, now);
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
    team: r.team,
    acknowledgedBy: r.acknowledged_by,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
