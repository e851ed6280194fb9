import { ingestEvents } from '../intake/ingest.js';
import type { AlertEvent } from '../intake/alertEvent.js';
import type { Store } from '../store/store.js';
import { incidentEvent } from './incidentEvents.js';

export type IncidentActionResult = { ok: true } | { ok: false; code: 'not_found' | 'conflict' | 'forbidden'; message: string };

async function load(store: Store, id: number) {
  return store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Acknowledge: someone has it; escalation stops. A shadow only got copies,
 * so a shadow cannot acknowledge for the primary: neither one paged only as
 * a shadow for this incident, nor one shadowing right now who was not paged
 * for it as a primary.
 */
export async function acknowledgeIncident(store: Store, id: number, by: string, now: number, via: string, opts: { shadowingNow?: boolean } = {}): Promise<IncidentActionResult> {
  const incident = await load(store, id);
  if (!incident) return { ok: false, code: 'not_found', message: `no incident ${id}` };
  if (incident.status !== 'open') return { ok: false, code: 'conflict', message: `incident ${id} is already ${incident.status}${incident.acknowledged_by ? ` (by ${incident.acknowledged_by})` : ''}` };
  const got = await store.db.selectFrom('notifications').select(['shadow']).where('incident_id', '=', id).where('user_name', '=', by).execute();
  const pagedAsShadowOnly = got.length > 0 && got.every((n) => n.shadow === 1);
  const shadowNotPaged = opts.shadowingNow === true && !got.some((n) => n.shadow === 0);
  if (pagedAsShadowOnly || shadowNotPaged) {
    return { ok: false, code: 'forbidden', message: `${by} is shadowing on this incident and cannot acknowledge for the primary; add a note instead` };
  }
  const changed = await store.db
    .updateTable('incidents')
    .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: by, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) !== 1) return { ok: false, code: 'conflict', message: `incident ${id} changed meanwhile; look again` };
  await incidentEvent(store.db, id, { kind: 'acknowledged', actor: by, message: `acknowledged by ${by} (${via}); escalation stopped` }, now);
  return { ok: true };
}

/** Resolve: the incident closes, and so do its alerts (through intake, so their history says so). */
export async function resolveIncident(store: Store, id: number, by: string, now: number, note?: string): Promise<IncidentActionResult> {
  const incident = await load(store, id);
  if (!incident) return { ok: false, code: 'not_found', message: `no incident ${id}` };
  if (incident.status === 'resolved') return { ok: false, code: 'conflict', message: `incident ${id} is already resolved` };
  await store.db.updateTable('incidents').set({ status: 'resolved', resolved_at: now, resolved_by: by, updated_at: now }).where('id', '=', id).execute();
  const alertIds = JSON.parse(incident.alert_ids) as number[];
  const open = alertIds.length ? await store.db.selectFrom('alerts').selectAll().where('id', 'in', alertIds).where('status', '<>', 'resolved').execute() : [];
  const events: AlertEvent[] = open.map((a) => ({
    source: a.source as AlertEvent['source'],
    action: 'resolved',
    fingerprint: a.fingerprint,
    labels: JSON.parse(a.labels) as Record<string, string>,
    annotations: JSON.parse(a.annotations) as Record<string, string>,
    summary: a.summary,
    severity: a.severity as AlertEvent['severity'],
    service: a.service,
    host: a.host,
    dedupKey: a.dedup_key,
    generatorUrl: a.generator_url,
    startsAt: null,
    endsAt: now,
    endsAtFromTimeout: false,
    payload: { resolvedWithIncident: id, by },
  }));
  await ingestEvents(store, events, now);
  await incidentEvent(store.db, id, { kind: 'resolved', actor: by, message: `resolved by ${by}${note ? `: ${note}` : ''}${open.length ? `; resolved alert(s) ${open.map((a) => a.id).join(', ')}` : ''}` }, now);
  return { ok: true };
}

/** A note by anyone, shadows included: how new on-callers learn. */
export async function noteIncident(store: Store, id: number, by: string, text: string, now: number): Promise<IncidentActionResult> {
  const incident = await load(store, id);
  if (!incident) return { ok: false, code: 'not_found', message: `no incident ${id}` };
  await incidentEvent(store.db, id, { kind: 'note', actor: by, message: text }, now);
  return { ok: true };
}
