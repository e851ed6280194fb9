import type { DbOrTx } from '../store/store.js';
import { changesForIncident } from '../deploys/changes/incidentChanges.js';
import { changeLine, changeView } from '../deploys/changes/changeView.js';

export interface TimelineEntry {
  at: string;
  source: 'incident' | 'remediation' | 'alert' | 'change';
  kind: string;
  actor: string | null;
  message: string;
}

/** What the view needs from the catalog: the services a service depends on (Service spec.dependsOn). */
export interface IncidentViewContext {
  dependsOn?: (service: string) => readonly string[];
}

/** An incident with its whole story: its own events, its remediation's audit, its alerts' history and what changed, in time order. */
export async function incidentWithTimeline(db: DbOrTx, id: number, context: IncidentViewContext = {}) {
  const incident = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!incident) return null;
  const alertIds = JSON.parse(incident.alert_ids) as number[];
  const own = await db.selectFrom('incident_events').selectAll().where('incident_id', '=', id).orderBy('id').execute();
  const audit = incident.remediation_id ? await db.selectFrom('remediation_audit').selectAll().where('remediation_id', '=', incident.remediation_id).orderBy('id').execute() : [];
  const alertHistory = alertIds.length ? await db.selectFrom('alert_events').selectAll().where('alert_id', 'in', alertIds).orderBy('id').execute() : [];
  // "What changed in the hour before this broke": the service's changes and its dependencies'.
  const changes = await changesForIncident(db, { service: incident.service, openedAt: incident.created_at, resolvedAt: incident.resolved_at }, context.dependsOn);
  const entries: Array<TimelineEntry & { ms: number; order: number }> = [
    ...alertHistory.map((e, i) => ({ ms: Number(e.received_at), order: i, at: '', source: 'alert' as const, kind: `alert.${e.action}`, actor: e.source, message: `alert ${e.alert_id} ${e.action}` })),
    ...audit.map((a, i) => ({ ms: a.at, order: 10_000 + i, at: '', source: 'remediation' as const, kind: a.kind, actor: `remediation ${a.remediation_id}`, message: a.message })),
    ...own.map((e, i) => ({ ms: e.at, order: 20_000 + i, at: '', source: 'incident' as const, kind: e.kind, actor: e.actor, message: e.message })),
    ...changes.map((c, i) => ({ ms: c.at, order: -10_000 + i, at: '', source: 'change' as const, kind: `change.${c.kind}`, actor: c.who, message: `${changeLine(c)}${c.via ? ` (${incident.service} depends on ${c.via.join(' → ')})` : ''}` })),
  ];
  entries.sort((a, b) => a.ms - b.ms || a.order - b.order);
  return {
    id: incident.id,
    title: incident.title,
    status: incident.status,
    urgency: incident.urgency,
    service: incident.service,
    team: incident.team,
    escalationPolicy: incident.escalation_policy,
    remediationId: incident.remediation_id,
    alertIds,
    createdAt: new Date(incident.created_at).toISOString(),
    acknowledgedAt: incident.acknowledged_at ? new Date(incident.acknowledged_at).toISOString() : null,
    acknowledgedBy: incident.acknowledged_by,
    resolvedAt: incident.resolved_at ? new Date(incident.resolved_at).toISOString() : null,
    resolvedBy: incident.resolved_by,
    story: JSON.parse(incident.story) as string[],
    changesBefore: changes.map((c) => ({ ...changeView(c), when: c.when, via: c.via })),
    timeline: entries.map(({ ms, order: _order, ...e }) => ({ ...e, at: new Date(ms).toISOString() })),
  };
}
