import type { Labels } from './fingerprint.js';

export type AlertSource = 'prometheus' | 'alertmanager' | 'pagerduty' | 'generic' | 'heartbeat' | 'probe' | 'slo';
export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';
export type Severity = 'critical' | 'error' | 'warning' | 'info';
export const severities: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** One thing a sender told us about one alert, already in prodeng's model. */
export interface AlertEvent {
  source: AlertSource;
  action: 'firing' | 'acknowledged' | 'resolved';
  fingerprint: string;
  labels: Labels;
  annotations: Labels;
  summary: string;
  severity: Severity;
  service: string | null;
  host: string | null;
  dedupKey: string | null;
  generatorUrl: string | null;
  startsAt: number | null;
  /** for firing: when it resolves unless sent again (null: only an explicit resolve ends it) */
  endsAt: number | null;
  endsAtFromTimeout: boolean;
  /** what the sender sent for this alert, kept as history */
  payload: unknown;
}

export type IntakeOutcome = 'created' | 'updated' | 'acknowledged' | 'resolved' | 'ignored';

export interface EventResult {
  outcome: IntakeOutcome;
  alertId: number | null;
  fingerprint: string;
  silenced: boolean;
}

// Severity words in the wild (Prometheus rule labels, PagerDuty, Opsgenie
// priorities) folded into the four levels PagerDuty's API also uses.
const severityWords: Record<string, Severity> = {
  critical: 'critical', crit: 'critical', page: 'critical', fatal: 'critical', emergency: 'critical', p1: 'critical',
  error: 'error', err: 'error', high: 'error', major: 'error', p2: 'error',
  warning: 'warning', warn: 'warning', medium: 'warning', minor: 'warning', p3: 'warning',
  info: 'info', informational: 'info', low: 'info', none: 'info', notice: 'info', p4: 'info', p5: 'info',
};

export function severityFrom(word: string | undefined, fallback: Severity = 'warning'): Severity {
  if (!word) return fallback;
  return severityWords[word.toLowerCase()] ?? fallback;
}

export function hostFromLabels(labels: Labels): string | null {
  return labels.host ?? labels.instance ?? labels.hostname ?? null;
}

export function summaryFrom(labels: Labels, annotations: Labels, fallback: string): string {
  return annotations.summary ?? annotations.description ?? annotations.message ?? labels.alertname ?? fallback;
}

/** The fields every label-set source (Prometheus, Alertmanager) derives the same way. */
export function labelSetFields(labels: Labels, annotations: Labels, fallbackSummary: string, services: { serviceForLabels(l: Labels): string | null }) {
  return {
    labels,
    annotations,
    summary: summaryFrom(labels, annotations, fallbackSummary),
    severity: severityFrom(labels.severity),
    service: services.serviceForLabels(labels),
    host: hostFromLabels(labels),
    dedupKey: null,
  };
}
