import type { DbOrTx } from '../../store/store.js';
import { changesOf, type StoredChange } from './changeStore.js';

/** How far before an incident opened a change is still a suspect: "what changed in the hour before this broke". */
export const CHANGE_LOOKBACK_MS = 60 * 60_000;
const MAX_LISTED = 50;

export interface IncidentChange extends StoredChange {
  /** before the incident opened, or while it was open */
  when: 'before' | 'during';
  /** null for the incident's own service; else the dependency chain from it, e.g. ["payments", "ledger"] */
  via: string[] | null;
}

/**
 * Every service the given one depends on, directly or through others
 * (Service spec.dependsOn), with the path to each: a database's config change
 * breaks the checkout that calls the payments that call it.
 */
export function dependencyPaths(service: string, dependsOn: (service: string) => readonly string[]): Map<string, string[]> {
  const paths = new Map<string, string[]>([[service, []]]);
  const queue = [service];
  while (queue.length) {
    const current = queue.shift()!;
    for (const next of dependsOn(current)) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(current)!, next]);
      queue.push(next);
    }
  }
  return paths;
}

/**
 * The changes to an incident's service and to what it depends on, from an
 * hour before it opened until it was resolved (or now, while it is open),
 * newest first.
 */
export async function changesForIncident(
  db: DbOrTx,
  incident: { service: string | null; openedAt: number; resolvedAt: number | null },
  dependsOn: (service: string) => readonly string[] = () => [],
): Promise<IncidentChange[]> {
  if (!incident.service) return [];
  const paths = dependencyPaths(incident.service, dependsOn);
  const found = await changesOf(db, {
    services: [...paths.keys()],
    since: incident.openedAt - CHANGE_LOOKBACK_MS,
    ...(incident.resolvedAt !== null ? { until: incident.resolvedAt } : {}),
    limit: MAX_LISTED,
  });
  return found.map((c) => {
    const path = paths.get(c.service) ?? [];
    return { ...c, when: c.at < incident.openedAt ? 'before' : 'during', via: path.length ? path : null };
  });
}
