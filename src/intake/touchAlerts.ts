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

/**
 * Prometheus re-sends every firing alert every resend delay, and nearly all
 * of those re-sends only move its end: one statement for all of them
 * instead of one per alert, and no history row.
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
  // Chunks of power-of-two sizes (800 rows: 512, 256, 32), so a handful of
  // statement texts cover every commit and stay prepared in the statement
  // cache; at most 1,024 rows of 5 parameters each, under SQLite's 32,766.
  for (let i = 0; i < touches.length; ) {
    const size = Math.min(SQLITE_MAX_ROWS, 2 ** Math.floor(Math.log2(touches.length - i)));
    const chunk = touches.slice(i, i + size);
    i += size;
    await tx.executeQuery(CompiledQuery.raw(sqliteTouchStatement(size), chunk.flatMap((t) => [t.id, t.endsAt, t.endsAtFromTimeout, t.lastSeenAt, t.occurrences])));
  }
}

const SQLITE_MAX_ROWS = 1024;
const sqliteStatements = new Map<number, string>();

function sqliteTouchStatement(rows: number): string {
  let text = sqliteStatements.get(rows);
  if (!text) {
    text = `with v(id, ends_at, from_timeout, seen, occurrences) as (values ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')})
      update "alerts" set "ends_at" = v.ends_at, "ends_at_from_timeout" = v.from_timeout, "last_seen_at" = v.seen, "updated_at" = v.seen, "occurrences" = v.occurrences
      from v where "alerts"."id" = v.id`;
    sqliteStatements.set(rows, text);
  }
  return text;
}
