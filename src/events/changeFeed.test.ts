import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { changeFeed } from './changeFeed.js';
import type { ChangeEvent } from './changeEvents.js';
import type { ChangeReaderFactory } from './changeReader.js';

const silent = pino({ level: 'silent' });

const hostChange = (n: number): ChangeEvent => ({
  event: 'host',
  data: { transitionId: n, host: 'web-1', from: 'in_service', to: 'draining', actor: 'test', reason: '', at: new Date(0).toISOString() },
});

/** A table whose new rows the test decides, and a count of how often a poller started on it. */
function fakeTable() {
  const waiting: ChangeEvent[] = [];
  const table = { starts: 0, reads: 0, failNextRead: false, failStart: false, waiting };
  const factory: ChangeReaderFactory = async () => {
    if (table.failStart) throw new Error('connection refused');
    table.starts++;
    return {
      table: 'fake',
      async read() {
        table.reads++;
        if (table.failNextRead) {
          table.failNextRead = false;
          throw new Error('read failed');
        }
        return { events: waiting.splice(0), full: false };
      },
    };
  };
  return { table, factory };
}

describe('changeFeed', () => {
  it('fans every change out to every subscriber from one poller, which stops with the last subscriber', async () => {
    const { table, factory } = fakeTable();
    const feed = changeFeed({ db: null as never, logger: silent, pollIntervalMs: 5, readers: [factory] });
    const a: ChangeEvent[] = [];
    const b: ChangeEvent[] = [];
    const subA = await feed.subscribe((c) => a.push(...c));
    const subB = await feed.subscribe((c) => b.push(...c));
    expect(subA.ok && subB.ok).toBe(true);
    expect(table.starts).toBe(1);
    expect(feed.polling).toBe(true);
    table.waiting.push(hostChange(1), hostChange(2));
    await vi.waitFor(() => expect(b).toHaveLength(2));
    expect(a).toEqual(b);

    if (subA.ok) subA.unsubscribe();
    expect(feed.polling).toBe(true);
    if (subB.ok) subB.unsubscribe();
    expect(feed.polling).toBe(false);
    const reads = table.reads;
    await new Promise((r) => setTimeout(r, 30));
    expect(table.reads).toBe(reads);

    // A new first subscriber starts a new poller, from what the table holds then.
    await feed.subscribe(() => {});
    expect(table.starts).toBe(2);
    await feed.close();
  });

  it('hands a listener what one read found as one batch, in order, and no empty batches', async () => {
    const { table, factory } = fakeTable();
    const feed = changeFeed({ db: null as never, logger: silent, pollIntervalMs: 5, readers: [factory] });
    const batches: ChangeEvent[][] = [];
    await feed.subscribe((c) => batches.push([...c]));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([]);
    table.waiting.push(hostChange(1), hostChange(2), hostChange(3));
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    expect(batches[0]).toEqual([hostChange(1), hostChange(2), hostChange(3)]);
    await feed.close();
  });

  it('answers store_unavailable when it cannot start reading, and tries again for the next subscriber', async () => {
    const { table, factory } = fakeTable();
    const feed = changeFeed({ db: null as never, logger: silent, pollIntervalMs: 5, readers: [factory] });
    table.failStart = true;
    const refused = await feed.subscribe(() => {});
    expect(refused).toEqual({ ok: false, code: 'store_unavailable', message: 'cannot read changes from the store: connection refused' });
    expect(feed.subscribers).toBe(0);
    expect(feed.polling).toBe(false);
    table.failStart = false;
    expect((await feed.subscribe(() => {})).ok).toBe(true);
    await feed.close();
  });

  it('goes on after a failed read, and warns once per outage', async () => {
    const { table, factory } = fakeTable();
    const logger = { warn: vi.fn(), info: vi.fn() } as unknown as typeof silent;
    const feed = changeFeed({ db: null as never, logger, pollIntervalMs: 5, readers: [factory] });
    const got: ChangeEvent[] = [];
    await feed.subscribe((c) => got.push(...c));
    table.failNextRead = true;
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
    table.waiting.push(hostChange(1));
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(logger.info).toHaveBeenCalledWith('change feed reads the store again');
    await feed.close();
  });

  it('keeps delivering to the others when one listener throws', async () => {
    const { table, factory } = fakeTable();
    const feed = changeFeed({ db: null as never, logger: silent, pollIntervalMs: 5, readers: [factory] });
    const got: ChangeEvent[] = [];
    await feed.subscribe(() => {
      throw new Error('broken');
    });
    await feed.subscribe((c) => got.push(...c));
    table.waiting.push(hostChange(1));
    await vi.waitFor(() => expect(got).toHaveLength(1));
    await feed.close();
  });

  it('refuses subscribers once closed, and close waits for the read under way', async () => {
    let release: () => void = () => {};
    let reading = false;
    const factory: ChangeReaderFactory = async () => ({
      table: 'slow',
      read: () => {
        reading = true;
        return new Promise((resolve) => (release = () => resolve({ events: [], full: false })));
      },
    });
    const feed = changeFeed({ db: null as never, logger: silent, pollIntervalMs: 1, readers: [factory] });
    await feed.subscribe(() => {});
    await vi.waitFor(() => expect(reading).toBe(true));
    let closed = false;
    const closing = feed.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(await feed.subscribe(() => {})).toEqual({ ok: false, code: 'feed_closed', message: 'the server is shutting down' });
  });
});
