import type { ConfigDoc } from '../config/index.js';
import type { FiringHook } from '../intake/ingest.js';
import type { RunbookSpec } from '../remediation/runbookKind.js';
import { chooseRunbook } from '../remediation/runbookMatching.js';
import { automationState } from '../remediation/automationSwitch.js';
import { attachToIncident, handOverToHuman, joinsOpenIncident, openIncidentOf } from './handover.js';

/**
 * In the intake transaction: an alert labelled `severity: page` that no
 * runbook handles opens an incident (a human is needed at once), one
 * labelled `severity: ticket` a low-urgency incident (its team is told,
 * nobody is paged, until a page joins it); any other
 * firing alert of a service with an open incident joins it, so the
 * incident's timeline has everything that went wrong with the service.
 */
export function incidentIntakeHook(runbooks: ConfigDoc<RunbookSpec>[]): FiringHook {
  return async (tx, alerts, now) => {
    // One look for open incidents per commit, not per alert: intake commits thousands at a time.
    const services = [...new Set(alerts.flatMap((a) => (a.service ? [a.service] : [])))];
    const open = new Map<string, { id: number; alert_ids: string }>();
    if (services.length > 0) {
      const rows = await tx
        .selectFrom('incidents')
        .select(['id', 'alert_ids', 'service'])
        .where('service', 'in', services)
        .where('status', 'in', ['open', 'acknowledged'])
        .where(joinsOpenIncident(now))
        .orderBy('id')
        .execute();
      for (const r of rows) open.set(r.service!, r);
    }
    // While automation is paused a runbook handles nothing: a page-severity alert needs a human now.
    const needsHuman = (a: (typeof alerts)[number]) => a.labels.severity === 'page' || a.labels.severity === 'ticket';
    const paused = alerts.some(needsHuman) && (await automationState(tx)).paused;
    for (const alert of alerts) {
      const handled = !paused && runbooks.length > 0 && chooseRunbook(runbooks, alert).chosen !== null;
      if (needsHuman(alert) && !handled) {
        const severity = alert.labels.severity!;
        const story = [`${new Date(now).toISOString()} alert ${alert.id} fired with severity ${severity} and ${paused ? 'automation is paused' : 'no runbook handles it'}: ${alert.summary}`];
        if (alert.ticketOnly) story.push(`a ticket, not a page: ${alert.ticketOnly}`);
        const urgency = severity === 'page' && !alert.ticketOnly ? 'high' : 'low';
        const id = await handOverToHuman(tx, { title: alert.summary, service: alert.service, remediationId: null, alertIds: [alert.id], story, urgency }, now);
        if (alert.service && !open.has(alert.service)) open.set(alert.service, (await openIncidentOf(tx, alert.service, now)) ?? { id, alert_ids: JSON.stringify([alert.id]) });
        continue;
      }
      const incident = alert.service ? open.get(alert.service) : undefined;
      if (incident && !(JSON.parse(incident.alert_ids) as number[]).includes(alert.id)) {
        await attachToIncident(tx, incident, [alert.id], `alert ${alert.id} of ${alert.service} fired: ${alert.summary}`, [], now);
        incident.alert_ids = JSON.stringify([...(JSON.parse(incident.alert_ids) as number[]), alert.id]);
      }
    }
  };
}
