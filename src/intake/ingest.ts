import type { Store, Tx } from '../store/store.js';
import { CompiledQuery } from 'kysely';
import { type AlertRow, type AlertUpdate, type NewAlertRow } from '../store/schema.js';
import { enqueueWork, type WorkItem } from '../store/workQueue.js';
import { bulkInsert } from '../store/bulkInsert.js';
import type { AlertEvent, EventResult } from './alertEvent.js';
import { loadActiveSilences, matchableLabels, silencingIds, type ActiveSilence } from './silences.js';
import { touchAlerts, type AlertTouch } from './touchAlerts.js';

const MAX_CONFLICT_RETRIES = 5;

/**
 * Applies a batch of events in one transaction: every alert, its history and
 * the downstream work it causes are committed together or not at all.
 * Returns one result per event, in order.
 */
/** An alert that has just become firing and unsilenced, as the next stage sees it. */
export interface FiringAlert {
  id: number;
  fingerprint: string;
  status: 'firing';
  silenced: false;
  source: string;
  summary: string;
  severity: string;
  service: string | null;
  host: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** set by an earlier hook of the same commit: a human is told of this alert by a ticket, not paged, and why */
  ticketOnly?: string;
}

/**
 * Called inside the intake transaction with the alerts that became firing
 * and unsilenced, so the work they cause (a remediation) commits with them.
 * The composition root supplies it; intake does not know who listens.
 */
export type FiringHook = (tx: Tx, alerts: FiringAlert[], now: number) => Promise<void>;

export async function ingestEvents(store: Store, events: AlertEvent[], now: number, onFiring?: FiringHook): Promise<EventResult[]> {
  if (events.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute((tx) => applyEvents(store, tx, events, now, onFiring));
    } catch (err) {
      // Another replica (or another commit of this one) opened the same
      // fingerprint between our read and our insert; the unique index refused
      // ours. Re-reading sees theirs. A deadlock between two commits ends one
      // of them; it is tried again whole.
      if (attempt < MAX_CONFLICT_RETRIES && isRetryableConflict(err)) continue;
      throw err;
    }
  }
}

function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === '40P01' || code === '40001' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

interface PendingNew {
  row: NewAlertRow;
  silenced: boolean;
}

/** What intake reads of an open alert: enough to know whether a re-send changes it (not all 22 columns: most re-sends read nothing else). */
type OpenAlertRow = Pick<AlertRow, 'id' | 'fingerprint' | 'source' | 'status' | 'occurrences' | 'silenced_by' | keyof AlertContent>;

/** What intake stores of an alert that a person would see change. */
type AlertContent = Pick<AlertRow, 'labels' | 'annotations' | 'summary' | 'severity' | 'service' | 'host' | 'generator_url'>;

function sameContent(a: AlertContent, b: AlertContent): boolean {
  return (
    a.labels === b.labels &&
    a.annotations === b.annotations &&
    a.summary === b.summary &&
    a.severity === b.severity &&
    a.service === b.service &&
    a.host === b.host &&
    a.generator_url === b.generator_url
  );
}

interface OpenAlert {
  row: OpenAlertRow;
  update: AlertUpdate | null;
  /** a re-send that changed nothing but its end and last-seen: written in one statement with the others, no history */
  touch: AlertTouch | null;
  /** silenced before this batch touched it */
  wasSilenced: boolean;
}

async function applyEvents(store: Store, tx: Tx, events: AlertEvent[], now: number, onFiring?: FiringHook): Promise<EventResult[]> {
  const active = await loadActiveSilences(tx, now);
  const results: EventResult[] = [];
  // A batch may resolve an alert and then fire the same fingerprint again,
  // which must open a second alert: apply up to that point, then go on.
  while (results.length < events.length) {
    results.push(...(await applySegment(store, tx, events.slice(results.length), now, active, onFiring)));
  }
  return results;
}

async function applySegment(
  store: Store,
  tx: Tx,
  events: AlertEvent[],
  now: number,
  active: ActiveSilence[],
  onFiring?: FiringHook,
): Promise<EventResult[]> {
  const fingerprints = [...new Set(events.map((e) => e.fingerprint))];
  const open = new Map<string, OpenAlert>();
  for (const row of await openAlertsByFingerprint(store, tx, fingerprints)) {
    open.set(row.fingerprint, { row, update: null, touch: null, wasSilenced: row.silenced_by !== null });
  }
  const fresh = new Map<string, PendingNew>();
  // History rows and results point at alerts that may not have ids yet.
  const history: Array<{ ref: OpenAlert | PendingNew; event: AlertEvent }> = [];
  const results: Array<{ ref: OpenAlert | PendingNew | null; result: EventResult }> = [];
  const work: Array<{ ref: OpenAlert | PendingNew; kind: string }> = [];

  for (const event of events) {
    const existing = open.get(event.fingerprint);
    const pending = fresh.get(event.fingerprint);
    const resolvedHere = existing ?? pending;
    if (event.action === 'firing' && resolvedHere && statusOf(resolvedHere) === 'resolved') break;
    if (event.action === 'firing') {
      if (existing) {
        const { silenced, quiet } = fireAgain(existing, event, now, active);
        if (existing.wasSilenced && !silenced) work.push({ ref: existing, kind: 'alert.firing' });
        if (!quiet) history.push({ ref: existing, event });
        results.push({ ref: existing, result: { outcome: 'updated', alertId: existing.row.id, fingerprint: event.fingerprint, silenced } });
      } else if (pending) {
        refire(pending.row, event, now);
        history.push({ ref: pending, event });
        results.push({ ref: pending, result: { outcome: 'updated', alertId: null, fingerprint: event.fingerprint, silenced: pending.silenced } });
      } else {
        const created = newAlert(event, now, active);
        fresh.set(event.fingerprint, created);
        if (!created.silenced) work.push({ ref: created, kind: 'alert.firing' });
        history.push({ ref: created, event });
        results.push({ ref: created, result: { outcome: 'created', alertId: null, fingerprint: event.fingerprint, silenced: created.silenced } });
      }
      continue;
    }
    // acknowledge / resolve apply to the open alert only; for an unknown
    // key they are dropped, as PagerDuty does.
    const target = existing ?? pending;
    if (!target) {
      results.push({ ref: null, result: { outcome: 'ignored', alertId: null, fingerprint: event.fingerprint, silenced: false } });
      continue;
    }
    const silenced = 'update' in target ? currentSilenced(target) : target.silenced;
    const changed = event.action === 'resolved' ? resolve(target, event, now) : acknowledge(target, now);
    history.push({ ref: target, event });
    if (changed && !silenced) work.push({ ref: target, kind: `alert.${event.action}` });
    results.push({
      ref: target,
      result: { outcome: changed ? event.action : 'updated', alertId: null, fingerprint: event.fingerprint, silenced },
    });
  }

  const ids = await insertNewAlerts(store, tx, [...fresh.values()]);
  const touches: AlertTouch[] = [];
  for (const alert of open.values()) {
    if (alert.update) await tx.updateTable('alerts').set(alert.update).where('id', '=', alert.row.id).execute();
    else if (alert.touch) touches.push(alert.touch);
  }
  await touchAlerts(tx, store.dialect, touches);
  const idOf = (ref: OpenAlert | PendingNew): number =>
    'update' in ref ? ref.row.id : (ids.get(ref.row.fingerprint) as number);

  await bulkInsert(
    tx,
    store.dialect,
    'alert_events',
    ['alert_id', 'received_at', 'source', 'action', 'payload'],
    history.map(({ ref, event }) => [idOf(ref), now, event.source, event.action, JSON.stringify(event.payload ?? null)]),
    [],
    ['bigint', 'bigint', 'text', 'text', 'text'],
  );
  await enqueueWork(tx, alertWork(work.map(({ ref, kind }) => ({ kind, id: idOf(ref) }))), now);
  if (onFiring) {
    const firing = work.filter((w) => w.kind === 'alert.firing').map(({ ref }) => firingAlert(ref, idOf(ref)));
    if (firing.length > 0) await onFiring(tx, firing, now);
  }

  return results.map(({ ref, result }) => (ref ? { ...result, alertId: idOf(ref) } : result));
}

/**
 * The open alerts among these fingerprints, locked on PostgreSQL until the
 * transaction ends. The fingerprints travel as one parameter (a JSON array
 * on SQLite, an array on PostgreSQL) instead of hundreds.
 */
async function openAlertsByFingerprint(store: Store, tx: Tx, fingerprints: string[]): Promise<OpenAlertRow[]> {
  if (fingerprints.length === 0) return [];
  const columns = `"id", "fingerprint", "source", "status", "occurrences", "silenced_by", "labels", "annotations", "summary", "severity", "service", "host", "generator_url"`;
  const query =
    store.dialect === 'postgres'
      ? CompiledQuery.raw(`select ${columns} from "alerts" where "fingerprint" = any($1) and status <> 'resolved' order by "fingerprint" for update`, [fingerprints])
      : CompiledQuery.raw(`select ${columns} from "alerts" where "fingerprint" in (select value from json_each(?)) and status <> 'resolved'`, [JSON.stringify(fingerprints)]);
  return (await tx.executeQuery<OpenAlertRow>(query)).rows;
}

type AlertRowFields = Pick<AlertRow, 'fingerprint' | 'source' | 'summary' | 'severity' | 'service' | 'host' | 'labels' | 'annotations'>;

/** The next stage's view of a stored alert that is firing and unsilenced. */
export function firingAlertFromRow(id: number, row: AlertRowFields): FiringAlert {
  return {
    id,
    fingerprint: row.fingerprint,
    status: 'firing',
    silenced: false,
    source: row.source,
    summary: row.summary,
    severity: row.severity,
    service: row.service ?? null,
    host: row.host ?? null,
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
  };
}

function firingAlert(ref: OpenAlert | PendingNew, id: number): FiringAlert {
  return firingAlertFromRow(id, ('update' in ref ? { ...ref.row, ...ref.update } : ref.row) as AlertRowFields);
}

// Each column intake writes, with its PostgreSQL type for the one-statement insert.
const alertColumnTypes = {
  fingerprint: 'text', source: 'text', status: 'text', labels: 'text', annotations: 'text', summary: 'text', severity: 'text',
  service: 'text', host: 'text', dedup_key: 'text', generator_url: 'text', starts_at: 'bigint', ends_at: 'bigint',
  ends_at_from_timeout: 'integer', last_seen_at: 'bigint', acknowledged_at: 'bigint', resolved_at: 'bigint',
  occurrences: 'integer', silenced_by: 'text', created_at: 'bigint', updated_at: 'bigint',
} as const;
const alertColumns = Object.keys(alertColumnTypes) as Array<keyof typeof alertColumnTypes>;

async function insertNewAlerts(store: Store, tx: Tx, alerts: PendingNew[]): Promise<Map<string, number>> {
  const rows = alerts.map((a) => alertColumns.map((c) => a.row[c] ?? null));
  const inserted = await bulkInsert(tx, store.dialect, 'alerts', alertColumns, rows, ['id', 'fingerprint'], Object.values(alertColumnTypes));
  return new Map(inserted.map((r) => [r.fingerprint as string, Number(r.id)]));
}

/**
 * One work item per kind per commit, listing the alerts it concerns: a
 * burst of 800 alerts is one item for the next stage to claim, not 800.
 */
export function alertWork(items: Array<{ kind: string; id: number }>): WorkItem[] {
  const byKind = new Map<string, number[]>();
  for (const { kind, id } of items) {
    const ids = byKind.get(kind) ?? [];
    if (!ids.includes(id)) ids.push(id);
    byKind.set(kind, ids);
  }
  return [...byKind].map(([kind, alertIds]) => ({ kind, subject: alertIds.join(',').slice(0, 200), payload: { alertIds } }));
}

function silencedBy(event: Pick<AlertEvent, 'labels' | 'service'>, active: ActiveSilence[]): string | null {
  if (active.length === 0) return null;
  const ids = silencingIds(matchableLabels(event.labels, event.service), active);
  return ids.length > 0 ? JSON.stringify(ids) : null;
}

function newAlert(event: AlertEvent, now: number, active: ActiveSilence[]): PendingNew {
  const silenced = silencedBy(event, active);
  return {
    silenced: silenced !== null,
    row: {
      fingerprint: event.fingerprint,
      source: event.source,
      status: 'firing',
      labels: JSON.stringify(event.labels),
      annotations: JSON.stringify(event.annotations),
      summary: event.summary,
      severity: event.severity,
      service: event.service,
      host: event.host,
      dedup_key: event.dedupKey,
      generator_url: event.generatorUrl,
      starts_at: event.startsAt ?? now,
      ends_at: event.endsAt,
      ends_at_from_timeout: event.endsAtFromTimeout ? 1 : 0,
      last_seen_at: now,
      acknowledged_at: null,
      resolved_at: null,
      occurrences: 1,
      silenced_by: silenced,
      created_at: now,
      updated_at: now,
    },
  };
}

function firingFields(event: AlertEvent, now: number) {
  return {
    labels: JSON.stringify(event.labels),
    annotations: JSON.stringify(event.annotations),
    summary: event.summary,
    severity: event.severity,
    service: event.service,
    host: event.host,
    generator_url: event.generatorUrl,
    ends_at: event.endsAt,
    ends_at_from_timeout: event.endsAtFromTimeout ? 1 : 0,
    last_seen_at: now,
    updated_at: now,
  };
}

/**
 * Another firing of an open alert. `quiet` when nothing a person would see
 * changed (content, silence): only its end, last-seen time and count move,
 * so it adds no history row and costs no rewrite of the row.
 */
function fireAgain(alert: OpenAlert, event: AlertEvent, now: number, active: ActiveSilence[]): { silenced: boolean; quiet: boolean } {
  const silenced = silencedBy(event, active);
  const fields = firingFields(event, now);
  const occurrences = ((alert.update?.occurrences as number | undefined) ?? alert.touch?.occurrences ?? alert.row.occurrences) + 1;
  const row = alert.row;
  const quiet = alert.update === null && silenced === row.silenced_by && sameContent(fields, row);
  if (quiet) {
    alert.touch = { id: row.id, endsAt: fields.ends_at, endsAtFromTimeout: fields.ends_at_from_timeout as 0 | 1, lastSeenAt: now, occurrences };
  } else {
    alert.update = { ...alert.update, ...fields, occurrences, silenced_by: silenced };
    alert.touch = null;
  }
  return { silenced: silenced !== null, quiet };
}

function refire(row: NewAlertRow, event: AlertEvent, now: number): void {
  Object.assign(row, firingFields(event, now), { occurrences: (row.occurrences ?? 1) + 1 });
}

function currentSilenced(alert: OpenAlert): boolean {
  const silenced = alert.update && 'silenced_by' in alert.update ? alert.update.silenced_by : alert.row.silenced_by;
  return silenced !== null && silenced !== undefined;
}

function statusOf(target: OpenAlert | PendingNew): string {
  return 'update' in target ? ((target.update?.status as string | undefined) ?? target.row.status) : (target.row.status as string);
}

function patch(target: OpenAlert | PendingNew, fields: AlertUpdate): void {
  if ('update' in target) target.update = { ...touchFields(target), ...target.update, ...fields };
  else Object.assign(target.row, fields);
}

/** A touch folded into a full update, so what it moved is not dropped when the update is written instead. */
function touchFields(alert: OpenAlert): AlertUpdate {
  const touch = alert.touch;
  if (!touch) return {};
  alert.touch = null;
  return {
    ends_at: touch.endsAt,
    ends_at_from_timeout: touch.endsAtFromTimeout,
    last_seen_at: touch.lastSeenAt,
    updated_at: touch.lastSeenAt,
    occurrences: touch.occurrences,
  };
}

function resolve(target: OpenAlert | PendingNew, event: AlertEvent, now: number): boolean {
  if (statusOf(target) === 'resolved') return false;
  const at = event.endsAt !== null && event.endsAt <= now ? event.endsAt : now;
  patch(target, { status: 'resolved', resolved_at: at, ends_at: at, last_seen_at: now, updated_at: now });
  return true;
}

function acknowledge(target: OpenAlert | PendingNew, now: number): boolean {
  if (statusOf(target) !== 'firing') return false;
  patch(target, { status: 'acknowledged', acknowledged_at: now, last_seen_at: now, updated_at: now });
  return true;
}
