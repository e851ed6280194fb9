import { CompiledQuery } from 'kysely';
import type { StoreDialect, Tx } from '../store/store.js';

/** What a re-send that changes nothing else moves on an open alert. */
export interface AlertTouch {
  id: number;
  endsAt: number | null;
  endsAtFromTimeout: 0 | 1;
  lastSeenAt: number;
  occurrences: number;
}

// SQLite takes at most 32,766 parameters a statement; 5 a row.
const SQLITE_ROWS_PER_STATEMENT = 1000;

/**
 * Prometheus re-sends every firing alert every resend delay, and nearly all
 * of those re-sends only move its end: one statement for all of them (per
 * thousand on SQLite) instead of one per alert, and no history row.
 */
export async function touchAlerts(tx: Tx, dialect: StoreDialect, touches: AlertTouch[]): Promise<void> {
  if (touches.length === 0) return;
  if (dialect === 'postgres') {
    await tx.executeQuery(
      CompiledQuery.raw(
        `update "alerts" as a set "ends_at" = v.ends_at, "ends_at_from_timeout" = v.from_timeout, "last_seen_at" = v.seen, "updated_at" = v.seen, "occurrences" = v.occurrences
         from unnest($1::bigint[], $2::bigint[], $3::integer[], $4::bigint[], $5::integer[]) as v(id, ends_at, from_timeout, seen, occurrences)
         where a."id" = v.id`,
        [touches.map((t) => t.id), touches.map((t) => t.endsAt), touches.map((t) => t.endsAtFromTimeout), touches.map((t) => t.lastSeenAt), touches.map((t) => t.occurrences)],
      ),
    );
    return;
  }
  for (let i = 0; i < touches.length; i += SQLITE_ROWS_PER_STATEMENT) {
    const chunk = touches.slice(i, i + SQLITE_ROWS_PER_STATEMENT);
    const values = chunk.map(() => '(?, ?, ?, ?, ?)').join(', ');
    await tx.executeQuery(
      CompiledQuery.raw(
        `with v(id, ends_at, from_timeout, seen, occurrences) as (values ${values})
         update "alerts" set "ends_at" = v.ends_at, "ends_at_from_timeout" = v.from_timeout, "last_seen_at" = v.seen, "updated_at" = v.seen, "occurrences" = v.occurrences
         from v where "alerts"."id" = v.id`,
        chunk.flatMap((t) => [t.id, t.endsAt, t.endsAtFromTimeout, t.lastSeenAt, t.occurrences]),
      ),
    );
  }
}
