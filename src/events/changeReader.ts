import type { ChangeEvent } from './changeEvents.js';

/** One table's changes since the last read. */
export interface ChangeReader {
  readonly table: string;
  /** at most the reader's limit of new changes; `full` when there may be more waiting */
  read(): Promise<{ events: ChangeEvent[]; full: boolean }>;
}

/** Makes a table's reader, its cursor starting at what the table holds now (older changes are not sent). */
export type ChangeReaderFactory = () => Promise<ChangeReader>;

export interface ReaderLimits {
  /** rows read per table per poll, so a burst cannot stall the others */
  batchLimit: number;
  /** how long a skipped id of an append-only table is waited for */
  gapWaitMs: number;
  /** how far behind the newest stamp a changed-in-place table is read */
  lookbackMs: number;
  /** a monotonic millisecond count, for the waits above */
  elapsed(): number;
}

/** Messages and reasons are cut to what a list shows; the console fetches the rest. */
export function shortText(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
