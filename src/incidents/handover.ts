import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
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
  /** low: a ticket for the owning team, nobody paged (default high) */
  urgency?: 'high' | 'low';
}

/**
 * Hands a problem to a human: opens an incident with the whole story and
 * starts paging by the service's (or its team's) escalation policy. A
 * low-urgency handover is a ticket: the owning team is told once and
 * nobody is paged, until something urgent joins it.
 */
export async function handOverToHuman(db: DbOrTx, handover: Handover, now: number): Promise<number> {
  const urgency = handover.urgency ?? 'high';
  // Many alerts of one service at once are usually one problem: they join
  // the service's open incident instead of paging again.
  const open = handover.service ? await openIncidentOf(db, handover.service, now) : undefined;
  if (open) {
    await attachToIncident(db, open, handover.alertIds, `grouped: ${handover.title}`, handover.story, now);
    if (urgency === 'high' && open.urgency === 'low') await raiseUrgency(db, open.id, handover.title, now);
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
      urgency,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  const ticket = urgency === 'low' ? ' (low urgency: a ticket for the owning team, nobody is paged)' : '';
  await incidentEvent(db, id, { kind: 'opened', actor: handover.remediationId ? `remediation ${handover.remediationId}` : 'prodeng', message: `opened${ticket}: ${handover.title}`, data: { story: handover.story, urgency } }, now);
  // Paging (or, for a ticket, telling the team) starts from the work queue, committed with the incident.
  await enqueueWork(db, [{ kind: PAGE_WORK, subject: String(id), payload: { step: 0, round: 0 } }], now);
  return id;
}

/** A ticket that something urgent joined: from now on it pages like any incident, from the first step (unless someone has acknowledged it). */
export async function raiseUrgency(db: DbOrTx, id: number, why: string, now: number): Promise<void> {
  const raised = await db.updateTable('incidents').set({ urgency: 'high', updated_at: now }).where('id', '=', id).where('urgency', '=', 'low').where('status', '!=', 'resolved').executeTakeFirst();
  if (Number(raised.numUpdatedRows) === 0) return;
  await incidentEvent(db, id, { kind: 'urgency.raised', actor: 'prodeng', message: `urgency raised to high, paging starts: ${why}` }, now);
  await enqueueWork(db, [{ kind: PAGE_WORK, subject: String(id), payload: { step: 0, round: 0 } }], now);
}

/** How long after an incident opens further trouble of its service joins it. */
export const GROUPING_WINDOW_MS = 30 * 60_000;

/**
 * Which open incidents new trouble of their service joins: those opened in
 * the grouping window, and a ticket however old (a slow burn's ticket lasts
 * days; when the burn turns into a page, the page joins it and raises it).
 */
export function joinsOpenIncident(now: number) {
  return (eb: ExpressionBuilder<Database, 'incidents'>) => eb.or([eb('created_at', '>=', now - GROUPING_WINDOW_MS), eb('urgency', '=', 'low')]);
}

export async function openIncidentOf(db: DbOrTx, service: string, now: number) {
  return db
    .selectFrom('incidents')
    .select(['id', 'alert_ids', 'urgency'])
    .where('service', '=', service)
    .where('status', 'in', ['open', 'acknowledged'])
    .where(joinsOpenIncident(now))
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
    urgency: r.urgency,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
