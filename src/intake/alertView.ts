import type { AlertRow } from '../store/schema.js';
import type { Labels } from './fingerprint.js';

/** An alert as the API shows it. */
export interface AlertView {
  id: number;
  fingerprint: string;
  status: AlertRow['status'];
  silenced: boolean;
  silencedBy: string[];
  summary: string;
  severity: string;
  service: string | null;
  host: string | null;
  source: string;
  labels: Labels;
  annotations: Labels;
  dedupKey: string | null;
  generatorURL: string | null;
  startsAt: string;
  endsAt: string | null;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  occurrences: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function alertView(row: AlertRow): AlertView {
  const silencedBy = row.silenced_by ? (JSON.parse(row.silenced_by) as string[]) : [];
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    status: row.status,
    silenced: silencedBy.length > 0 && row.status !== 'resolved',
    silencedBy,
    summary: row.summary,
    severity: row.severity,
    service: row.service,
    host: row.host,
    source: row.source,
    labels: JSON.parse(row.labels) as Labels,
    annotations: JSON.parse(row.annotations) as Labels,
    dedupKey: row.dedup_key,
    generatorURL: row.generator_url,
    startsAt: iso(row.starts_at) as string,
    endsAt: iso(row.ends_at),
    lastSeenAt: iso(row.last_seen_at) as string,
    acknowledgedAt: iso(row.acknowledged_at),
    resolvedAt: iso(row.resolved_at),
    occurrences: row.occurrences,
  };
}
