// What GET /api/v1/events sends. This file is plain TypeScript with no Node
// imports so that the console can use the same types.
//
// Each event says what changed and where, not the changed thing itself: the
// console refetches what it shows. Times are ISO 8601 strings, as elsewhere
// in the API.

/** A change to an alert: it fired (again), was acknowledged or resolved. */
export interface AlertChange {
  /** the alert_events row: increases, per table, in commit order on SQLite */
  eventId: number;
  alertId: number;
  /** firing | acknowledged | resolved */
  action: string;
  /** prometheus | alertmanager | pagerduty | generic | heartbeat | probe | … */
  source: string;
  /** how many events of this alert with this action were folded into this one (repeated firing) */
  count: number;
  at: string;
}

/** A line of the remediation audit trail: a decision, a step, a verification. */
export interface RemediationChange {
  auditId: number;
  remediationId: number | null;
  alertId: number | null;
  /** matched, skipped, gate, started, step.started, step.finished, verified, escalated, … */
  kind: string;
  /** shortened to a line a list can show */
  message: string;
  at: string;
}

/** A line of an incident's timeline. */
export interface IncidentChange {
  eventId: number;
  incidentId: number;
  /** opened, paged, notified, escalated, acknowledged, note, resolved, … */
  kind: string;
  actor: string;
  message: string;
  at: string;
}

/** A host moved through its lifecycle. */
export interface HostChange {
  transitionId: number;
  host: string;
  from: string | null;
  to: string;
  actor: string;
  reason: string;
  at: string;
}

/** The remediation kill switch was flipped. */
export interface AutomationChange {
  /** the switch: "remediation" */
  name: string;
  paused: boolean;
  changedBy: string;
  reason: string;
  at: string;
}

/** A silence was created or expired. */
export interface SilenceChange {
  silenceId: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  at: string;
}

export type ChangeEvent =
  | { event: 'alert'; data: AlertChange }
  | { event: 'remediation'; data: RemediationChange }
  | { event: 'incident'; data: IncidentChange }
  | { event: 'host'; data: HostChange }
  | { event: 'automation'; data: AutomationChange }
  | { event: 'silence'; data: SilenceChange };

export type ChangeEventName = ChangeEvent['event'];

export const changeEventNames: readonly ChangeEventName[] = ['alert', 'remediation', 'incident', 'host', 'automation', 'silence'];

/**
 * The first event of every stream. Changes made while a client was not
 * connected are not replayed: on hello (also after a reconnect), refetch.
 */
export interface HelloData {
  serverTime: string;
  /** how often the server looks for changes */
  pollIntervalMs: number;
  events: readonly ChangeEventName[];
}
