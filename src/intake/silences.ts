import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../store/store.js';
import type { SilenceRow } from '../store/schema.js';
import type { Labels } from './fingerprint.js';
import { compileMatchers, type CompiledMatcher, type Matcher } from './matchers.js';

export type SilenceState = 'pending' | 'active' | 'expired';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: SilenceState };
  updatedAt: string;
}

export interface NewSilence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface ActiveSilence {
  id: string;
  matches: CompiledMatcher;
}

export function silenceState(row: Pick<SilenceRow, 'starts_at' | 'ends_at'>, now: number): SilenceState {
  if (row.ends_at <= now) return 'expired';
  return row.starts_at > now ? 'pending' : 'active';
}

export function silenceFromRow(row: SilenceRow, now: number): Silence {
  return {
    id: row.id,
    matchers: JSON.parse(row.matchers) as Matcher[],
    startsAt: new Date(row.starts_at).toISOString(),
    endsAt: new Date(row.ends_at).toISOString(),
    createdBy: row.created_by,
    comment: row.comment,
    status: { state: silenceState(row, now) },
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function insertSilence(db: DbOrTx, silence: NewSilence, now: number): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('silences')
    .values({
      id,
      matchers: JSON.stringify(silence.matchers),
      starts_at: silence.startsAt,
      ends_at: silence.endsAt,
      created_by: silence.createdBy,
      comment: silence.comment,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export interface SilenceChange extends NewSilence {
  /** the silence to change; without one a new silence is made */
  id?: string | undefined;
}

export type SilenceChangeOutcome = { outcome: 'created' | 'updated' | 'replaced'; id: string } | { outcome: 'not-found' };

function sameMatchers(a: Matcher[], b: Matcher[]): boolean {
  const key = (ms: Matcher[]) => JSON.stringify(ms.map((m) => [m.name, m.value, m.isRegex, m.isEqual]));
  return key(a) === key(b);
}

/**
 * Alertmanager's rule for posting a silence, so amtool's update and import
 * behave as they do there. A silence can be changed in place while its
 * matchers stay the same and the change does not rewrite the past: a
 * pending one may move as long as it still starts in the future; an active
 * one may change its end (not into the past) but not its start. Any other
 * change ends the old silence now and makes a new one with a new id, as
 * does posting over an expired one. A new silence never starts in the past.
 */
export async function changeSilence(db: Db, change: SilenceChange, now: number): Promise<SilenceChangeOutcome> {
  return db.transaction().execute(async (tx) => {
    const fresh = { ...change, startsAt: Math.max(change.startsAt, now) };
    if (change.id === undefined) return { outcome: 'created', id: await insertSilence(tx, fresh, now) };
    const prev = await getSilence(tx, change.id);
    if (!prev) return { outcome: 'not-found' };
    const state = silenceState(prev, now);
    const inPlace =
      sameMatchers(JSON.parse(prev.matchers) as Matcher[], change.matchers) &&
      ((state === 'active' && change.startsAt === prev.starts_at && change.endsAt >= now) || (state === 'pending' && change.startsAt >= now));
    if (inPlace) {
      await tx
        .updateTable('silences')
        .set({ starts_at: change.startsAt, ends_at: change.endsAt, created_by: change.createdBy, comment: change.comment, updated_at: now })
        .where('id', '=', change.id)
        .execute();
      return { outcome: 'updated', id: change.id };
    }
    if (state !== 'expired') await expireSilenceRow(tx, change.id, now);
    return { outcome: 'replaced', id: await insertSilence(tx, fresh, now) };
  });
}

export async function listSilences(db: DbOrTx, now: number): Promise<Silence[]> {
  const rows = await db.selectFrom('silences').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map((r) => silenceFromRow(r, now));
}

export async function getSilence(db: DbOrTx, id: string): Promise<SilenceRow | undefined> {
  return db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Ends a silence now; an already expired one is left as it was. */
export async function expireSilenceRow(db: DbOrTx, id: string, now: number): Promise<'expired' | 'already-expired' | 'not-found'> {
  const row = await getSilence(db, id);
  if (!row) return 'not-found';
  if (row.ends_at <= now) return 'already-expired';
  await db
    .updateTable('silences')
    .set({ ends_at: now, starts_at: Math.min(row.starts_at, now), updated_at: now })
    .where('id', '=', id)
    .execute();
  return 'expired';
}

export async function loadActiveSilences(db: DbOrTx, now: number): Promise<ActiveSilence[]> {
  const rows = await db
    .selectFrom('silences')
    .select(['id', 'matchers'])
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .execute();
  return rows.map((r) => ({ id: r.id, matches: compileMatchers(JSON.parse(r.matchers) as Matcher[]) }));
}

/** The labels silences match against: the alert's labels plus its service. */
export function matchableLabels(labels: Labels, service: string | null): Labels {
  return service && labels.service === undefined ? { ...labels, service } : labels;
}

export function silencingIds(labels: Labels, active: ActiveSilence[]): string[] {
  const ids: string[] = [];
  for (const s of active) if (s.matches(labels)) ids.push(s.id);
  return ids;
}
