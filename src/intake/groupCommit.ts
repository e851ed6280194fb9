import type { Clock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import type { AlertEvent, EventResult } from './alertEvent.js';
import { ingestEvents, type FiringHook } from './ingest.js';

interface Waiting {
  events: AlertEvent[];
  resolve(results: EventResult[]): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions {
  maxEventsPerCommit?: number;
  /**
   * Commits in flight at once. SQLite has one writer, so 1; on PostgreSQL
   * the database works on one commit while this process parses the next
   * requests and sends another, which is what several replicas do anyway.
   */
  parallelCommits?: number;
}

/** How many commits to keep in flight on each store unless told otherwise. */
export function defaultParallelCommits(dialect: Store['dialect']): number {
  const configured = Number(process.env.PRODENG_PARALLEL_COMMITS);
  if (Number.isInteger(configured) && configured >= 1) return configured;
  return dialect === 'postgres' ? 3 : 1;
}

/**
 * Group commit: requests that arrive while a transaction is running are
 * committed together in the next one. Each sender still gets its reply only
 * after its own events are committed; the store sees far fewer, larger
 * transactions under load.
 *
 * With several commits in flight, a request whose alerts an unfinished
 * commit also holds waits for it (and so does every request behind it), so
 * a sender's firing and resolve of one alert are applied in the order sent.
 */
export class GroupCommitter {
  private waiting: Waiting[] = [];
  private inFlight = new Set<Set<string>>();
  private scheduled = false;
  private readonly maxEventsPerCommit: number;
  private readonly parallelCommits: number;

  constructor(
    private store: Store,
    private clock: Clock,
    private onFiring?: FiringHook,
    options: GroupCommitOptions = {},
  ) {
    this.maxEventsPerCommit = options.maxEventsPerCommit ?? 2000;
    this.parallelCommits = options.parallelCommits ?? defaultParallelCommits(store.dialect);
  }

  commit(events: AlertEvent[]): Promise<EventResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let requests that already arrived be parsed first, so they join
    // this commit instead of each waiting for the one before.
    setImmediate(() => {
      this.scheduled = false;
      this.startCommits();
    });
  }

  private startCommits(): void {
    while (this.waiting.length > 0 && this.inFlight.size < this.parallelCommits) {
      const group = this.takeGroup();
      if (group.length === 0) return;
      const fingerprints = new Set(group.flatMap((w) => w.events.map((e) => e.fingerprint)));
      this.inFlight.add(fingerprints);
      void this.commitGroup(group).finally(() => {
        this.inFlight.delete(fingerprints);
        if (this.waiting.length > 0) this.schedule();
      });
    }
  }

  private heldInFlight(w: Waiting): boolean {
    if (this.inFlight.size === 0) return false;
    for (const e of w.events) for (const held of this.inFlight) if (held.has(e.fingerprint)) return true;
    return false;
  }

  private takeGroup(): Waiting[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n]!.events.length <= this.maxEventsPerCommit)) {
      if (this.heldInFlight(this.waiting[n]!)) break;
      count += this.waiting[n]!.events.length;
      n++;
    }
    return this.waiting.splice(0, n);
  }

  private async commitGroup(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group as [Waiting];
      await ingestEvents(this.store, only.events, this.clock.now(), this.onFiring).then(only.resolve, only.reject);
      return;
    }
    try {
      const results = await ingestEvents(this.store, group.flatMap((w) => w.events), this.clock.now(), this.onFiring);
      let offset = 0;
      for (const w of group) {
        w.resolve(results.slice(offset, offset + w.events.length));
        offset += w.events.length;
      }
    } catch {
      // One request's failure must not fail the others: commit each alone.
      for (const w of group) await ingestEvents(this.store, w.events, this.clock.now(), this.onFiring).then(w.resolve, w.reject);
    }
  }
}
