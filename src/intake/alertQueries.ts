import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx, StoreDialect } from '../store/store.js';
import { alertIsOpen, type AlertRow } from '../store/schema.js';
import type { AlertStatus } from './alertEvent.js';
import { alertView, type AlertView } from './alertView.js';
import { compileMatchers, type Matcher } from './matchers.js';
import { matchableLabels } from './silences.js';

export interface AlertFilter {
  status?: AlertStatus[] | undefined;
  service?: string | undefined;
  matchers?: Matcher[] | undefined;
  /** return alerts with an id below this (the previous page's nextCursor) */
  before?: number | undefined;
  limit: number;
  /** ids examined per request when filtering by label (FILTER_WINDOW unless a test says otherwise) */
  window?: number | undefined;
}

export interface AlertPage {
  alerts: AlertView[];
  /** pass as `before` for the next page; null on the last page */
  nextCursor: number | null;
}

/** Rows read from the store at a time while regex matchers are applied in the process. */
const SCAN_PAGE = 500;
/**
 * At most this many alert ids are examined per request when filtering by
 * label, so one request costs the same at 130,000 alerts as at 10,000. A page
 * that reached the end of its window without filling up still has a
 * nextCursor: the client pages on until nextCursor is null.
 */
export const FILTER_WINDOW = 10_000;

/**
 * A label's value as the matchers see it, in SQL: the alert's own label, ''
 * when it has none, and the service column for `service` when the labels do
 * not name one (as matchableLabels does in the process). The label name is a
 * bound parameter, never part of the statement.
 */
export function labelValueSql(dialect: StoreDialect, name: string): RawBuilder<string> {
  const label =
    dialect === 'postgres'
      ? sql<string | null>`(cast(labels as jsonb) ->> ${name})`
      : sql<string | null>`json_extract(labels, ${`$."${name}"`})`;
  return name === 'service' ? sql<string>`coalesce(${label}, service, '')` : sql<string>`coalesce(${label}, '')`;
}

/**
 * Newest first. Equality matchers (= and !=) are conditions in the store's
 * query; regex matchers run in the process on RE2 (linear time) over the
 * rows the store returns. With any matcher the request examines at most
 * FILTER_WINDOW ids below the cursor.
 */
export async function listAlerts(store: { db: DbOrTx; dialect: StoreDialect }, filter: AlertFilter): Promise<AlertPage> {
  const { db, dialect } = store;
  const matchers = filter.matchers ?? [];
  const inSql = matchers.filter((m) => !m.isRegex);
  const regex = matchers.filter((m) => m.isRegex);
  const matches = regex.length ? compileMatchers(regex) : null;
  const windowed = matchers.length > 0;
  let floor = 0;
  if (windowed) {
    const top = filter.before ?? Number((await db.selectFrom('alerts').select((eb) => eb.fn.max('id').as('top')).executeTakeFirst())?.top ?? 0) + 1;
    floor = Math.max(0, top - (filter.window ?? FILTER_WINDOW));
  }
  const pageSize = matches ? SCAN_PAGE : filter.limit + 1;
  const found: AlertRow[] = [];
  let before = filter.before;
  let exhausted = false;
  for (;;) {
    let q = db.selectFrom('alerts').selectAll().orderBy('id', 'desc').limit(pageSize);
    if (filter.status?.length) q = q.where('status', 'in', filter.status);
    if (filter.service) q = q.where('service', '=', filter.service);
    if (before !== undefined) q = q.where('id', '<', before);
    if (windowed) q = q.where('id', '>=', floor);
    for (const m of inSql) q = q.where(labelValueSql(dialect, m.name), m.isEqual ? '=' : '<>', m.value);
    const rows = await q.execute();
    for (const row of rows) {
      if (!matches || matches(matchableLabels(JSON.parse(row.labels), row.service))) found.push(row);
      if (found.length > filter.limit) break;
    }
    exhausted = rows.length < pageSize;
    if (found.length > filter.limit || exhausted || !matches) break;
    before = rows[rows.length - 1]!.id;
  }
  const page = found.slice(0, filter.limit);
  if (found.length > filter.limit) return { alerts: page.map(alertView), nextCursor: page[page.length - 1]!.id };
  // The window ran out before the page filled: older alerts may still match.
  const windowLeft = windowed && exhausted && floor > 1;
  return { alerts: page.map(alertView), nextCursor: windowLeft ? floor : null };
}

export interface AlertHistoryEntry {
  id: number;
  receivedAt: string;
  source: string;
  action: string;
  payload: unknown;
}

export async function getAlertWithHistory(db: DbOrTx, id: number): Promise<(AlertView & { history: AlertHistoryEntry[] }) | null> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const events = await db.selectFrom('alert_events').selectAll().where('alert_id', '=', id).orderBy('id', 'asc').execute();
  return {
    ...alertView(row),
    history: events.map((e) => ({
      id: e.id,
      receivedAt: new Date(e.received_at).toISOString(),
      source: e.source,
      action: e.action,
      payload: JSON.parse(e.payload),
    })),
  };
}

export async function openAlertFingerprints(db: DbOrTx, fingerprints: string[]): Promise<Set<string>> {
  if (fingerprints.length === 0) return new Set();
  const rows = await db
    .selectFrom('alerts')
    .select('fingerprint')
    .where('fingerprint', 'in', fingerprints)
    .where(alertIsOpen)
    .execute();
  return new Set(rows.map((r) => r.fingerprint));
}

/** An alert as the other stages read it (no history), or null. */
export async function getAlert(db: DbOrTx, id: number): Promise<AlertView | null> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? alertView(row) : null;
}
