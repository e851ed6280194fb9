import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Db } from '../store/store.js';
import type { ChangeEvent } from './changeEvents.js';
import type { ChangeReader, ChangeReaderFactory, ReaderLimits } from './changeReader.js';
import { changeReaders } from './changeSources.js';

/**
 * Called once per batch the poller read, in commit order. A batch, not one
 * call per change: a listener that forwards changes (an event stream) can
 * encode the batch once for every stream and write it in one go.
 */
export type ChangeListener = (changes: readonly ChangeEvent[]) => void;

export type Subscription =
  | { ok: true; unsubscribe(): void }
  | { ok: false; code: 'store_unavailable' | 'feed_closed'; message: string };

/**
 * New rows of the history tables, to everyone listening in this process.
 *
 * The database, not this process, is the source: a change committed by
 * another replica reaches this one's listeners too. One poller serves all
 * listeners; it runs from the first subscriber to the last.
 */
export interface ChangeFeed {
  /** listens from now on; the listener is called with the changes committed after the subscription, a batch at a time */
  subscribe(listener: ChangeListener): Promise<Subscription>;
  readonly subscribers: number;
  /** true while the poller runs */
  readonly polling: boolean;
  readonly pollIntervalMs: number;
  /** refuses new subscribers, drops the current ones and waits for a read under way */
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  db: Db;
  logger: Logger;
  /** how often to look for changes (default 500 ms) */
  pollIntervalMs?: number;
  limits?: Partial<ReaderLimits>;
  /** what to read; by default the history tables of changeSources */
  readers?: ChangeReaderFactory[];
}

interface Poller {
  started: Promise<{ ok: true } | { ok: false; message: string }>;
  stop(): Promise<void>;
}

function startPoller(factories: ChangeReaderFactory[], intervalMs: number, deliver: ChangeListener, logger: Logger): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let reading: Promise<void> | null = null;
  let failing = false;

  const schedule = (readers: ChangeReader[], delayMs: number) => {
    timer = setTimeout(() => {
      timer = null;
      reading = pollOnce(readers).finally(() => (reading = null));
    }, delayMs);
    timer.unref();
  };

  const pollOnce = async (readers: ChangeReader[]) => {
    let more = false;
    try {
      for (const reader of readers) {
        const { events, full } = await reader.read();
        // A stopped poller's listeners are gone; what it read is dropped.
        if (stopped) return;
        if (events.length > 0) deliver(events);
        more ||= full;
      }
      if (failing) logger.info('change feed reads the store again');
      failing = false;
    } catch (err) {
      // Once per outage, not every half second.
      if (!failing) logger.warn({ err }, 'change feed cannot read the store; retrying');
      failing = true;
    }
    // A full batch means a burst: read the rest at once instead of after a pause.
    if (!stopped) schedule(readers, more ? 0 : intervalMs);
  };

  const started = (async () => {
    try {
      const readers: ChangeReader[] = [];
      for (const factory of factories) readers.push(await factory());
      if (!stopped) schedule(readers, intervalMs);
      return { ok: true as const };
    } catch (err) {
      return { ok: false as const, message: (err as Error).message };
    }
  })();

  return {
    started,
    async stop() {
      stopped = true;
      await started;
      if (timer) clearTimeout(timer);
      timer = null;
      await reading;
    },
  };
}

export function changeFeed(opts: ChangeFeedOptions): ChangeFeed {
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  const limits: ReaderLimits = { batchLimit: 500, gapWaitMs: 10_000, lookbackMs: 10_000, elapsed: () => performance.now(), ...opts.limits };
  const factories = opts.readers ?? changeReaders(opts.db, limits);
  // One entry per subscription, so the same function may subscribe twice.
  const listeners = new Set<{ listener: ChangeListener }>();
  const stopping = new Set<Promise<void>>();
  let poller: Poller | null = null;
  let closed = false;

  const deliver: ChangeListener = (changes) => {
    for (const entry of listeners) {
      try {
        entry.listener(changes);
      } catch (err) {
        opts.logger.warn({ err, events: changes.length }, 'a change listener failed');
      }
    }
  };

  const stopPoller = () => {
    const current = poller;
    if (!current) return;
    poller = null;
    const done = current.stop().finally(() => stopping.delete(done));
    stopping.add(done);
  };

  const closedAnswer = { ok: false, code: 'feed_closed', message: 'the server is shutting down' } as const;

  return {
    pollIntervalMs,
    get subscribers() {
      return listeners.size;
    },
    get polling() {
      return poller !== null;
    },
    async subscribe(listener) {
      if (closed) return closedAnswer;
      const entry = { listener };
      listeners.add(entry);
      poller ??= startPoller(factories, pollIntervalMs, deliver, opts.logger);
      const current = poller;
      const started = await current.started;
      if (!started.ok) {
        listeners.delete(entry);
        // The next subscriber tries again.
        if (poller === current) poller = null;
        return { ok: false, code: 'store_unavailable', message: `cannot read changes from the store: ${started.message}` };
      }
      if (!listeners.has(entry)) return closedAnswer;
      return {
        ok: true,
        unsubscribe() {
          if (!listeners.delete(entry)) return;
          if (listeners.size === 0) stopPoller();
        },
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      stopPoller();
      await Promise.all([...stopping]);
    },
  };
}
