import type { DbOrTx } from '../store/store.js';
import type { ScheduleOverrideRow } from '../store/schema.js';

/** An override added at run time: `user` is on call from `startsAt` until `endsAt` (epoch ms), instead of `replaces` or, without it, as well. */
export interface StoredOverride {
  id: number;
  schedule: string;
  user: string;
  replaces: string | null;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  /** '' when none was given */
  reason: string;
  createdAt: number;
  cancelledAt: number | null;
  cancelledBy: string | null;
}

export type NewOverride = Pick<StoredOverride, 'schedule' | 'user' | 'replaces' | 'startsAt' | 'endsAt' | 'createdBy' | 'reason'>;

export type CancelResult = { ok: true; override: StoredOverride } | { ok: false; code: 'not_found' | 'already_cancelled'; message: string };

function fromRow(row: ScheduleOverrideRow): StoredOverride {
  return {
    id: row.id,
    schedule: row.schedule,
    user: row.user_name,
    replaces: row.replaces,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    reason: row.reason,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
  };
}

/** Stores an override as given; whether its people and span make sense is checked where the request is parsed. */
export async function addOverride(db: DbOrTx, o: NewOverride, now: number): Promise<StoredOverride> {
  const row = await db
    .insertInto('schedule_overrides')
    .values({ schedule: o.schedule, user_name: o.user, replaces: o.replaces, starts_at: o.startsAt, ends_at: o.endsAt, created_by: o.createdBy, reason: o.reason, created_at: now, cancelled_at: null, cancelled_by: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/**
 * Cancels an override of `schedule` (the row stays, for the record). The
 * update only matches a row not cancelled yet, so two people cancelling at
 * once get one success and one conflict.
 */
export async function cancelOverride(db: DbOrTx, c: { schedule: string; id: number; by: string }, now: number): Promise<CancelResult> {
  const row = await db
    .updateTable('schedule_overrides')
    .set({ cancelled_at: now, cancelled_by: c.by })
    .where('id', '=', c.id)
    .where('schedule', '=', c.schedule)
    .where('cancelled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (row) return { ok: true, override: fromRow(row) };
  const existing = await db.selectFrom('schedule_overrides').selectAll().where('id', '=', c.id).where('schedule', '=', c.schedule).executeTakeFirst();
  if (!existing) return { ok: false, code: 'not_found', message: `schedule ${c.schedule} has no override ${c.id}; list them with GET /api/v1/schedules/${c.schedule}/overrides` };
  return { ok: false, code: 'already_cancelled', message: `override ${c.id} was already cancelled by ${existing.cancelled_by} at ${new Date(existing.cancelled_at!).toISOString()}` };
}

export interface OverrideQuery {
  /** one schedule, or every schedule */
  schedule?: string;
  /** only overrides that overlap [from, to) (epoch ms) */
  from?: number;
  to?: number;
  includeCancelled?: boolean;
}

/** Overrides in the order they were added (later ones apply after earlier ones). */
export async function listOverrides(db: DbOrTx, q: OverrideQuery = {}): Promise<StoredOverride[]> {
  let query = db.selectFrom('schedule_overrides').selectAll();
  if (q.schedule !== undefined) query = query.where('schedule', '=', q.schedule);
  if (q.from !== undefined) query = query.where('ends_at', '>', q.from);
  if (q.to !== undefined) query = query.where('starts_at', '<', q.to);
  if (!q.includeCancelled) query = query.where('cancelled_at', 'is', null);
  const rows = await query.orderBy('id').execute();
  return rows.map(fromRow);
}
