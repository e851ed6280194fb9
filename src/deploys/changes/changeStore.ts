import type { DbOrTx } from '../../store/store.js';

export const CHANGE_KINDS = ['deploy', 'config', 'flag', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** How the change reached the record: prodeng's API (and CLI), a PagerDuty change event, or a deployment prodeng ran. */
export type ChangeSource = 'api' | 'pagerduty' | 'deploy';

/** What a caller records; the optional fields are what a sender may not know. */
export interface NewChange {
  service: string;
  version?: string | null;
  kind: ChangeKind;
  summary: string;
  /** who made the change, from the credential (see api/actor.ts), never a typed name taken as identity */
  who: string;
  commit?: string | null;
  link?: string | null;
  source: ChangeSource;
  /** when the change happened (epoch ms) */
  at: number;
  /** what the sender said beyond the fields above (a PagerDuty event's custom_details, links) */
  details?: Record<string, unknown>;
  /** when prodeng heard of it (epoch ms); a sender may report a change late */
  receivedAt: number;
}

export interface StoredChange {
  id: number;
  service: string;
  version: string | null;
  kind: ChangeKind;
  summary: string;
  who: string;
  commit: string | null;
  link: string | null;
  source: ChangeSource;
  at: number;
  details: Record<string, unknown>;
  receivedAt: number;
}

export interface ChangeQuery {
  service?: string;
  /** any of these services (an incident's service and what it depends on) */
  services?: readonly string[];
  /** inclusive bounds on when the change happened, epoch ms */
  since?: number;
  until?: number;
  limit?: number;
}

export const DEFAULT_CHANGE_LIMIT = 100;
export const MAX_CHANGE_LIMIT = 1000;

/** Writes one change; in the caller's transaction when given one, so a deployment records its change with its own state. */
export async function recordChange(db: DbOrTx, change: NewChange): Promise<StoredChange> {
  const row = {
    service: change.service,
    version: change.version ?? null,
    kind: change.kind,
    summary: change.summary,
    who: change.who,
    commit_sha: change.commit ?? null,
    link: change.link ?? null,
    source: change.source,
    at: change.at,
    details: JSON.stringify(change.details ?? {}),
    received_at: change.receivedAt,
  };
  const { id } = await db.insertInto('changes').values(row).returning('id').executeTakeFirstOrThrow();
  return fromRow({ ...row, id });
}

/** Changes newest first (ties by the order they were recorded). `service` and `services` together mean either. */
export async function changesOf(db: DbOrTx, q: ChangeQuery = {}): Promise<StoredChange[]> {
  const names = [...new Set([...(q.service !== undefined ? [q.service] : []), ...(q.services ?? [])])];
  // Asked for some services and none named: nothing matches (not "every service").
  if ((q.service !== undefined || q.services !== undefined) && names.length === 0) return [];
  let query = db.selectFrom('changes').selectAll();
  if (names.length === 1) query = query.where('service', '=', names[0]!);
  else if (names.length > 1) query = query.where('service', 'in', names);
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<=', q.until);
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? DEFAULT_CHANGE_LIMIT)), MAX_CHANGE_LIMIT);
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(fromRow);
}

interface ChangeRowShape {
  id: number | string;
  service: string;
  version: string | null;
  kind: string;
  summary: string;
  who: string;
  commit_sha: string | null;
  link: string | null;
  source: string;
  at: number | string;
  details: string;
  received_at: number | string;
}

function fromRow(r: ChangeRowShape): StoredChange {
  return {
    id: Number(r.id),
    service: r.service,
    version: r.version,
    kind: r.kind as ChangeKind,
    summary: r.summary,
    who: r.who,
    commit: r.commit_sha,
    link: r.link,
    source: r.source as ChangeSource,
    at: Number(r.at),
    details: parseDetails(r.details),
    receivedAt: Number(r.received_at),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    // A row written by hand with bad JSON still lists; its details are lost, not the change.
    return {};
  }
}
