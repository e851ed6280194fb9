/**
 * Where a reader of an append-only table has got to.
 *
 * Reading `id > highest` alone loses rows on PostgreSQL: ids are taken when a
 * row is inserted, not when it commits, so with several writers row 11 can be
 * visible before row 10. An id skipped over is remembered as a gap and asked
 * for again until it appears or `gapWaitMs` has passed (a rolled-back insert
 * leaves a gap for good). On SQLite, one writer at a time, gaps do not occur.
 */
export interface IdCursor {
  /** read rows with ids above this */
  readonly highest: number;
  /** ids skipped over that may still commit; read these too */
  readonly gaps: number[];
  /** the ids just read (above `highest` in ascending order, or gaps); returns those not seen before */
  accept(ids: readonly number[], elapsedMs: number): number[];
}

export interface IdCursorOptions {
  /** how long to wait for a skipped id to commit */
  gapWaitMs: number;
  /** at most this many gaps are remembered (the newest), so a huge jump costs a bounded query */
  maxGaps: number;
}

export function idCursor(start: number, opts: IdCursorOptions): IdCursor {
  let highest = start;
  // gap id -> when it was first missed
  const gaps = new Map<number, number>();

  const forgetOldGaps = (elapsedMs: number) => {
    for (const [id, since] of gaps) if (elapsedMs - since > opts.gapWaitMs) gaps.delete(id);
    if (gaps.size <= opts.maxGaps) return;
    const oldestFirst = [...gaps.keys()].sort((a, b) => a - b);
    for (const id of oldestFirst.slice(0, gaps.size - opts.maxGaps)) gaps.delete(id);
  };

  return {
    get highest() {
      return highest;
    },
    get gaps() {
      return [...gaps.keys()];
    },
    accept(ids, elapsedMs) {
      const fresh: number[] = [];
      for (const id of ids) {
        if (gaps.delete(id)) {
          fresh.push(id);
          continue;
        }
        if (id <= highest) continue;
        // Only the newest maxGaps of a large jump can still matter.
        for (let missing = Math.max(highest + 1, id - opts.maxGaps); missing < id; missing++) gaps.set(missing, elapsedMs);
        highest = id;
        fresh.push(id);
      }
      forgetOldGaps(elapsedMs);
      return fresh;
    },
  };
}
