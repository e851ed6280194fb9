/**
 * Where a reader of a table whose rows change in place (silences, the
 * automation switch) has got to, by each row's last-changed time.
 *
 * The stamps come from the clocks of whichever replica wrote them and a row
 * commits a little after it is stamped, so a change can appear with a stamp
 * below the newest one already seen. The reader looks `lookbackMs` behind
 * the newest stamp and remembers what it saw there, so such a change is
 * still found once and only once.
 */
export interface StampCursor {
  /** read rows stamped at or after this */
  readonly since: number;
  /** the rows just read; returns the keys whose change was not seen before */
  accept(rows: ReadonlyArray<{ key: string; stamp: number }>): string[];
}

export function stampCursor(newestStamp: number, lookbackMs: number, alreadySeen: ReadonlyArray<{ key: string; stamp: number }> = []): StampCursor {
  let newest = newestStamp;
  const seen = new Map<string, number>(alreadySeen.map((r) => [r.key, r.stamp]));
  return {
    get since() {
      return newest - lookbackMs;
    },
    accept(rows) {
      const fresh: string[] = [];
      for (const { key, stamp } of rows) {
        if (seen.get(key) === stamp) continue;
        seen.set(key, stamp);
        if (stamp > newest) newest = stamp;
        fresh.push(key);
      }
      const since = newest - lookbackMs;
      for (const [key, stamp] of seen) if (stamp < since) seen.delete(key);
      return fresh;
    },
  };
}
