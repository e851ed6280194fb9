import { sql } from 'kysely';
import type { Db } from '../store/store.js';
import type { ChangeEvent } from './changeEvents.js';
import type { ChangeReader, ChangeReaderFactory, ReaderLimits } from './changeReader.js';
import { idCursor } from './idCursor.js';

export type AppendOnlyTable = 'alert_events' | 'remediation_audit' | 'incident_events' | 'host_transitions';

/** Which rows to read: those above `after`, and the skipped ids in `gaps`, in id order, at most `limit`. */
export interface IdRange {
  after: number;
  gaps: number[];
  limit: number;
}

export interface AppendOnlySource<Row extends { id: number }> {
  table: AppendOnlyTable;
  rows(db: Db, range: IdRange): Promise<Row[]>;
  /** the rows not sent before, in id order */
  toEvents(rows: Row[]): ChangeEvent[];
}

async function maxId(db: Db, table: AppendOnlyTable): Promise<number> {
  // max(id) on the primary key is an index lookup on both stores.
  const { rows } = await sql<{ max: number | string | null }>`select max(id) as max from ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.max ?? 0);
}

export function appendOnlyReader<Row extends { id: number }>(db: Db, source: AppendOnlySource<Row>, limits: ReaderLimits): ChangeReaderFactory {
  return async (): Promise<ChangeReader> => {
    const cursor = idCursor(await maxId(db, source.table), { gapWaitMs: limits.gapWaitMs, maxGaps: 1000 });
    return {
      table: source.table,
      async read() {
        const rows = await source.rows(db, { after: cursor.highest, gaps: cursor.gaps, limit: limits.batchLimit });
        const fresh = new Set(cursor.accept(rows.map((r) => Number(r.id)), limits.elapsed()));
        const events = source.toEvents(rows.filter((r) => fresh.has(Number(r.id))));
        return { events, full: rows.length >= limits.batchLimit };
      },
    };
  };
}
