import type { Db } from '../store/store.js';
import type { ChangeEvent } from './changeEvents.js';
import type { ChangeReader, ChangeReaderFactory, ReaderLimits } from './changeReader.js';
import { stampCursor } from './stampCursor.js';

/** A table whose rows change in place, found by a last-changed time. */
export interface StampedSource<Row> {
  table: string;
  newestStamp(db: Db): Promise<number | null>;
  /** rows stamped at or after `since`, newest first, at most `limit` */
  rows(db: Db, since: number, limit: number): Promise<Row[]>;
  key(row: Row): string;
  stamp(row: Row): number;
  toEvent(row: Row): ChangeEvent;
}

export function stampedReader<Row>(db: Db, source: StampedSource<Row>, limits: ReaderLimits): ChangeReaderFactory {
  const keyed = (rows: Row[]) => rows.map((row) => ({ key: source.key(row), stamp: source.stamp(row) }));
  return async (): Promise<ChangeReader> => {
    const newest = (await source.newestStamp(db)) ?? 0;
    const recent = await source.rows(db, newest - limits.lookbackMs, limits.batchLimit);
    const cursor = stampCursor(newest, limits.lookbackMs, keyed(recent));
    return {
      table: source.table,
      async read() {
        // Newest first: if more than a batch changed within the look-back,
        // the newest are reported; the console refetches the list either way.
        const rows = await source.rows(db, cursor.since, limits.batchLimit);
        const fresh = new Set(cursor.accept(keyed(rows)));
        const events = rows
          .filter((row) => fresh.has(source.key(row)))
          .sort((a, b) => source.stamp(a) - source.stamp(b))
          .map(source.toEvent);
        return { events, full: false };
      },
    };
  };
}
