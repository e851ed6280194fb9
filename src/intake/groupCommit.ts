import type { Clock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import type { AlertEvent, EventResult } from './alertEvent.js';
import { ingestEvents, type FiringHook } from './ingest.js';

interface Waiting {
  events: AlertEvent[];
  resolve(results: EventResult[]): void;
  reject(err: unknown): void;
}

/**
 * Group commit: requests that arrive while a transaction is running are
 * committed together in the next one. Each sender still gets its reply only
 * after its own events are committed; the store sees far fewer, larger
 * transactions under load.
 */
export class GroupCommitter {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private store: Store,
    private clock: Clock,
    private onFiring?: FiringHook,
    private maxEventsPerCommit = 2000,
  ) {}

  commit(events: AlertEvent[]): Promise<EventResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Let requests that already arrived be parsed first, so they join
        // this commit instead of each waiting for the one before.
        setImmediate(() => void this.drain());
      }
    });
  }

  private takeGroup(): Waiting[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n]!.events.length <= this.maxEventsPerCommit)) {
      count += this.waiting[n]!.events.length;
      n++;
    }
    return this.waiting.splice(0, n);
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.takeGroup();
        await this.commitGroup(group);
      }
    } finally {
      this.draining = false;
    }
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
