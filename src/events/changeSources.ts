import { sql } from 'kysely';
import type { Db } from '../store/store.js';
import type { AlertChange, ChangeEvent } from './changeEvents.js';
import { appendOnlyReader, type IdRange } from './appendOnlyReader.js';
import { stampedReader } from './stampedReader.js';
import { isoTime, shortText, type ChangeReaderFactory, type ReaderLimits } from './changeReader.js';

// The change feed reads the history tables of several stages, read-only,
// the way reports do: it is a view across the pipeline, and each row it
// needs is already written by the stage that owns it. It selects only the
// columns it sends, never a payload.

/** `id > after`, or one of the awaited gaps: both use the primary key. */
const inRange = (range: IdRange) =>
  range.gaps.length > 0 ? sql<boolean>`(id > ${range.after} or id in (${sql.join(range.gaps)}))` : sql<boolean>`id > ${range.after}`;

/** Repeated firing of one alert in one poll is one event with a count: the console needs one refetch, not fifty. */
export function foldAlertEvents(changes: AlertChange[]): AlertChange[] {
  const byAlertAction = new Map<string, AlertChange>();
  for (const change of changes) {
    const key = `${change.alertId}:${change.action}`;
    const earlier = byAlertAction.get(key);
    byAlertAction.delete(key);
    byAlertAction.set(key, { ...change, count: (earlier?.count ?? 0) + change.count });
  }
  return [...byAlertAction.values()].sort((a, b) => a.eventId - b.eventId);
}

export function changeReaders(db: Db, limits: ReaderLimits): ChangeReaderFactory[] {
  return [
    appendOnlyReader(
      db,
      {
        table: 'alert_events',
        rows: (db, range) =>
          db.selectFrom('alert_events').select(['id', 'alert_id', 'action', 'source', 'received_at']).where(inRange(range)).orderBy('id').limit(range.limit).execute(),
        toEvents: (rows) =>
          foldAlertEvents(
            rows.map((r) => ({ eventId: Number(r.id), alertId: Number(r.alert_id), action: r.action, source: r.source, count: 1, at: isoTime(Number(r.received_at)) })),
          ).map((data): ChangeEvent => ({ event: 'alert', data })),
      },
      limits,
    ),
    appendOnlyReader(
      db,
      {
        table: 'remediation_audit',
        rows: (db, range) =>
          db
            .selectFrom('remediation_audit')
            .select(['id', 'remediation_id', 'alert_id', 'kind', 'message', 'at'])
            .where(inRange(range))
            .orderBy('id')
            .limit(range.limit)
            .execute(),
        toEvents: (rows) =>
          rows.map((r) => ({
            event: 'remediation',
            data: {
              auditId: Number(r.id),
              remediationId: r.remediation_id === null ? null : Number(r.remediation_id),
              alertId: r.alert_id === null ? null : Number(r.alert_id),
              kind: r.kind,
              message: shortText(r.message),
              at: isoTime(Number(r.at)),
            },
          })),
      },
      limits,
    ),
    appendOnlyReader(
      db,
      {
        table: 'incident_events',
        rows: (db, range) =>
          db.selectFrom('incident_events').select(['id', 'incident_id', 'kind', 'actor', 'message', 'at']).where(inRange(range)).orderBy('id').limit(range.limit).execute(),
        toEvents: (rows) =>
          rows.map((r) => ({
            event: 'incident',
            data: { eventId: Number(r.id), incidentId: Number(r.incident_id), kind: r.kind, actor: r.actor, message: shortText(r.message), at: isoTime(Number(r.at)) },
          })),
      },
      limits,
    ),
    appendOnlyReader(
      db,
      {
        table: 'host_transitions',
        rows: (db, range) =>
          db
            .selectFrom('host_transitions')
            .select(['id', 'host', 'from_state', 'to_state', 'actor', 'reason', 'at'])
            .where(inRange(range))
            .orderBy('id')
            .limit(range.limit)
            .execute(),
        toEvents: (rows) =>
          rows.map((r) => ({
            event: 'host',
            data: { transitionId: Number(r.id), host: r.host, from: r.from_state, to: r.to_state, actor: r.actor, reason: shortText(r.reason), at: isoTime(Number(r.at)) },
          })),
      },
      limits,
    ),
    stampedReader(
      db,
      {
        table: 'automation_switch',
        newestStamp: async (db) => {
          const row = await db.selectFrom('automation_switch').select((eb) => eb.fn.max('changed_at').as('newest')).executeTakeFirst();
          return row?.newest == null ? null : Number(row.newest);
        },
        rows: (db, since, limit) =>
          db
            .selectFrom('automation_switch')
            .select(['name', 'paused', 'changed_by', 'reason', 'changed_at'])
            .where('changed_at', '>=', since)
            .orderBy('changed_at', 'desc')
            .limit(limit)
            .execute(),
        key: (r) => r.name,
        stamp: (r) => Number(r.changed_at),
        toEvent: (r) => ({ event: 'automation', data: { name: r.name, paused: Number(r.paused) === 1, changedBy: r.changed_by, reason: shortText(r.reason), at: isoTime(Number(r.changed_at)) } }),
      },
      limits,
    ),
    stampedReader(
      db,
      {
        table: 'silences',
        newestStamp: async (db) => {
          const row = await db.selectFrom('silences').select((eb) => eb.fn.max('updated_at').as('newest')).executeTakeFirst();
          return row?.newest == null ? null : Number(row.newest);
        },
        rows: (db, since, limit) =>
          db
            .selectFrom('silences')
            .select(['id', 'created_by', 'starts_at', 'ends_at', 'updated_at'])
            .where('updated_at', '>=', since)
            .orderBy('updated_at', 'desc')
            .limit(limit)
            .execute(),
        key: (r) => r.id,
        stamp: (r) => Number(r.updated_at),
        toEvent: (r) => ({
          event: 'silence',
          data: { silenceId: r.id, createdBy: r.created_by, startsAt: isoTime(Number(r.starts_at)), endsAt: isoTime(Number(r.ends_at)), at: isoTime(Number(r.updated_at)) },
        }),
      },
      limits,
    ),
  ];
}
