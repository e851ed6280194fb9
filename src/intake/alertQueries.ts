import type { DbOrTx } from '../store/store.js';
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
}

export interface AlertPage {
  alerts: AlertView[];
  /** pass as `before` for the next page; null on the last page */
  nextCursor: number | null;
}

const SCAN_PAGE = 500;

/** Newest first. Label matchers are applied in the process, so scan in pages until the page is full. */
export async function listAlerts(db: DbOrTx, filter: AlertFilter): Promise<AlertPage> {
  const matches = filter.matchers?.length ? compileMatchers(filter.matchers) : null;
  const found: AlertRow[] = [];
  let before = filter.before;
  for (;;) {
    let q = db.selectFrom('alerts').selectAll().orderBy('id', 'desc').limit(matches ? SCAN_PAGE : filter.limit + 1);
    if (filter.status?.length) q = q.where('status', 'in', filter.status);
    if (filter.service) q = q.where('service', '=', filter.service);
    if (before !== undefined) q = q.where('id', '<', before);
    const rows = await q.execute();
    for (const row of rows) {
      if (!matches || matches(matchableLabels(JSON.parse(row.labels), row.service))) found.push(row);
      if (found.length > filter.limit) break;
    }
    const exhausted = rows.length < (matches ? SCAN_PAGE : filter.limit + 1);
    if (found.length > filter.limit || exhausted || !matches) break;
    before = rows[rows.length - 1]!.id;
  }
  const page = found.slice(0, filter.limit);
  const more = found.length > filter.limit;
  return { alerts: page.map(alertView), nextCursor: more ? page[page.length - 1]!.id : null };
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
