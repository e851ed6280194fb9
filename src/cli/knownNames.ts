import { likelyMeant } from '../config/references.js';
import type { apiClient } from './apiClient.js';

type Client = ReturnType<typeof apiClient>;

/** A name given as an option that names nothing: the CLI exits 1 with this message, not with an empty list. */
export class UnknownNameError extends Error {}

/** `no pool "web-pol"; did you mean "web-pool"? known: api, web-pool` */
export function unknownNameMessage(what: string, name: string, known: readonly string[]): string {
  const names = [...new Set(known)].sort();
  if (names.length === 0) return `no ${what} "${name}"; there are none`;
  const guess = likelyMeant(name, names);
  return `no ${what} "${name}"${guess ? `; did you mean "${guess}"?` : ';'} known: ${names.join(', ')}`;
}

/** Throws UnknownNameError unless `name` is one of `known`. */
export function mustBeKnown(what: string, name: string, known: readonly string[]): void {
  if (!known.includes(name)) throw new UnknownNameError(unknownNameMessage(what, name, known));
}

/** Each comma-separated name of a list option (`--status a,b`) must be known. */
export function mustAllBeKnown(what: string, list: string, known: readonly string[]): void {
  for (const name of list.split(',').map((s) => s.trim()).filter(Boolean)) mustBeKnown(what, name, known);
}

const present = (values: Iterable<string | null | undefined>) => [...values].filter((v): v is string => typeof v === 'string' && v !== '');

/**
 * The services the config declares (every Service has an owner team, so the
 * team report lists them all), with those the caller saw in the store's own
 * rows: an alert or a host may name a service the config does not.
 */
export async function knownServices(client: Client, seen: Iterable<string | null | undefined> = []): Promise<string[]> {
  const r = await client.get<{ teams: Array<{ team: string | null; services: Array<{ service: string | null }> }> }>('/api/v1/reports/teams?since=1m');
  return [...new Set([...present(r.teams.flatMap((t) => t.services.map((s) => s.service))), ...present(seen)])];
}
