import type { DbOrTx, StoreDialect } from '../store/store.js';
import type { AlertRow } from '../store/schema.js';
import { labelValueSql } from './alertQueries.js';
import type { Labels } from './fingerprint.js';
import { compileMatchers, type Matcher } from './matchers.js';
import { matchableLabels } from './silences.js';

/** An alert in Alertmanager's API v2 shape (its `gettableAlert`). */
export interface GettableAlert {
  labels: Labels;
  annotations: Labels;
  receivers: Array<{ name: string }>;
  fingerprint: string;
  startsAt: string;
  updatedAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** An alert with the service prodeng filed it under (a column, not always a label). */
export interface SelectedAlert {
  alert: GettableAlert;
  service: string | null;
}

export interface AlertGroup {
  labels: Labels;
  receiver: { name: string };
  alerts: GettableAlert[];
}

export interface AlertSelection {
  /** Alertmanager's flags: which states to show (all true by default) */
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
  matchers: Matcher[];
  /** an anchored RE2 test of the receiver's name */
  receiver?: ((name: string) => boolean) | undefined;
  receiverFor(service: string | null): string;
}

/** Go's zero time: what Alertmanager's API gives for a time that is not set (an alert with no end). */
const NO_TIME = '0001-01-01T00:00:00.000Z';

/** Keys in order, as Alertmanager (Go) writes a label set, so replies read the same from both. */
function sortedKeys(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function gettableAlert(row: AlertRow, receiver: string): GettableAlert {
  const silencedBy = row.silenced_by ? (JSON.parse(row.silenced_by) as string[]) : [];
  return {
    labels: sortedKeys(JSON.parse(row.labels) as Labels),
    annotations: sortedKeys(JSON.parse(row.annotations) as Labels),
    receivers: [{ name: receiver }],
    fingerprint: row.fingerprint,
    startsAt: new Date(row.starts_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    endsAt: row.ends_at === null ? NO_TIME : new Date(row.ends_at).toISOString(),
    ...(row.generator_url ? { generatorURL: row.generator_url } : {}),
    // prodeng has no inhibition, and an alert is processed (silences applied) when it is committed
    status: { state: silencedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
  };
}

/**
 * The open alerts (firing or acknowledged, not past their end) that the
 * selection shows, sorted by fingerprint as Alertmanager sorts them. The
 * whole set, unpaged, as Alertmanager answers: open alerts are bounded by
 * what fires, unlike the history /api/v1/alerts pages through. Equality
 * matchers are conditions in the query; regexes run on RE2 in the process.
 */
export async function selectOpenAlerts(store: { db: DbOrTx; dialect: StoreDialect }, sel: AlertSelection, now: number): Promise<SelectedAlert[]> {
  if (!sel.active && !sel.silenced) return [];
  let q = store.db
    .selectFrom('alerts')
    .selectAll()
    .where('status', 'in', ['firing', 'acknowledged'])
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now)]));
  for (const m of sel.matchers.filter((x) => !x.isRegex)) q = q.where(labelValueSql(store.dialect, m.name), m.isEqual ? '=' : '<>', m.value);
  const rows = await q.execute();
  const regex = sel.matchers.filter((x) => x.isRegex);
  const matches = regex.length ? compileMatchers(regex) : null;
  const out: SelectedAlert[] = [];
  for (const row of rows) {
    if (matches && !matches(matchableLabels(JSON.parse(row.labels) as Labels, row.service))) continue;
    const receiver = sel.receiverFor(row.service);
    if (sel.receiver && !sel.receiver(receiver)) continue;
    const alert = gettableAlert(row, receiver);
    if (alert.status.state === 'suppressed' ? !sel.silenced : !sel.active) continue;
    out.push({ alert, service: row.service });
  }
  return out.sort((a, b) => (a.alert.fingerprint < b.alert.fingerprint ? -1 : a.alert.fingerprint > b.alert.fingerprint ? 1 : 0));
}

/** prodeng groups alerts by service (incidents and paging do): one group per service and receiver, labelled with the service. */
export function groupByService(selected: SelectedAlert[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const { alert: a, service } of selected) {
    const receiver = a.receivers[0]!.name;
    const key = JSON.stringify([service, receiver]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: service === null ? {} : { service }, receiver: { name: receiver }, alerts: [] }));
    g.alerts.push(a);
  }
  return [...groups.values()];
}
