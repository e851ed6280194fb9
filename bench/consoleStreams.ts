// The console benchmark's event-stream clients, in a worker thread of their
// own so that reading and parsing 100 streams does not hold up the thread
// that posts alerts and takes their 2xx times (and the other way round).
// Each client is what the console does: fetch GET /api/v1/events, read the
// body, parse it with eventStreamParser, JSON-parse each event's data.
import { parentPort, Worker } from 'node:worker_threads';
import type { AlertChange, HelloData } from '../src/events/changeEvents.js';
import { eventStreamParser } from '../src/events/eventStreamParser.js';
import { monotonicMs } from './peers.js';

export type StreamsRequest =
  | { type: 'open'; url: string; count: number }
  /** starts a phase: counters reset; with record, each stream notes when it first saw each alert fire */
  | { type: 'phase'; record: boolean }
  | { type: 'progress' }
  | { type: 'collect' }
  | { type: 'close' };

export interface StreamsProgress {
  open: number;
  /** streams that ended while not asked to: cut off by the server, or failed */
  dropped: number;
  /** the fewest alert events any open stream has received this phase */
  minAlertEvents: number;
  /** the fewest distinct firing alerts any open stream has noted this phase (record only) */
  minRecorded: number;
}

/** Per stream: alert ids and the monotonicMs() at which the stream received each one's first firing event. */
export type StreamsRecording = { alertIds: number[]; receivedAt: number[] }[];

interface Client {
  abort: AbortController;
  done: Promise<void>;
  closing: boolean;
  ended: boolean;
  alertEvents: number;
  firstFiring: Map<number, number>;
}

/** The main thread's handle on the worker. */
export interface StreamClients {
  /** resolves once every new stream has had its hello; pollIntervalMs is what the server's hello says */
  open(url: string, count: number): Promise<{ streams: number; pollIntervalMs: number }>;
  phase(record: boolean): Promise<void>;
  progress(): Promise<StreamsProgress>;
  collect(): Promise<StreamsRecording>;
  close(): Promise<void>;
  terminate(): Promise<void>;
}

export function startStreamClients(): StreamClients {
  const worker = new Worker(new URL(import.meta.url));
  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const call = <T>(request: StreamsRequest) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  return {
    open: (url, count) => call<{ streams: number; pollIntervalMs: number }>({ type: 'open', url, count }),
    phase: (record) => call<void>({ type: 'phase', record }),
    progress: () => call<StreamsProgress>({ type: 'progress' }),
    collect: () => call<StreamsRecording>({ type: 'collect' }),
    close: () => call<void>({ type: 'close' }),
    terminate: async () => void (await worker.terminate()),
  };
}

function runWorker(port: NonNullable<typeof parentPort>): void {
  let clients: Client[] = [];
  let dropped = 0;
  let recording = false;
  let pollIntervalMs = NaN;

  const follow = (url: string): { client: Client; hello: Promise<void> } => {
    let helloSeen!: () => void;
    let failed!: (e: Error) => void;
    const hello = new Promise<void>((resolve, reject) => {
      helloSeen = resolve;
      failed = reject;
    });
    const client: Client = { abort: new AbortController(), done: Promise.resolve(), closing: false, ended: false, alertEvents: 0, firstFiring: new Map() };
    client.done = (async () => {
      try {
        const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: client.abort.signal });
        if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
        const parser = eventStreamParser();
        const decoder = new TextDecoder();
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          // The moment this stream has the bytes; parsing what came with them is the client's own time.
          const at = monotonicMs();
          for (const message of parser.push(decoder.decode(value, { stream: true }))) {
            if (message.event === 'hello') {
              pollIntervalMs = (JSON.parse(message.data) as HelloData).pollIntervalMs;
              helloSeen();
            }
            if (message.event !== 'alert') continue;
            const change = JSON.parse(message.data) as AlertChange;
            client.alertEvents++;
            if (recording && change.action === 'firing' && !client.firstFiring.has(change.alertId)) client.firstFiring.set(change.alertId, at);
          }
        }
        failed(new Error('the stream ended before hello'));
      } catch (err) {
        failed(err as Error);
      } finally {
        client.ended = true;
        if (!client.closing) dropped++;
      }
    })();
    return { client, hello };
  };

  const handle = async (request: StreamsRequest): Promise<unknown> => {
    switch (request.type) {
      case 'open': {
        const opened = Array.from({ length: request.count }, () => follow(request.url));
        clients.push(...opened.map((o) => o.client));
        await Promise.all(opened.map((o) => o.hello));
        return { streams: clients.length, pollIntervalMs };
      }
      case 'phase':
        recording = request.record;
        for (const c of clients) {
          c.alertEvents = 0;
          c.firstFiring = new Map();
        }
        return undefined;
      case 'progress': {
        const open = clients.filter((c) => !c.ended);
        return {
          open: open.length,
          dropped,
          minAlertEvents: Math.min(...open.map((c) => c.alertEvents)),
          minRecorded: Math.min(...open.map((c) => c.firstFiring.size)),
        } satisfies StreamsProgress;
      }
      case 'collect':
        return clients.map((c) => ({ alertIds: [...c.firstFiring.keys()], receivedAt: [...c.firstFiring.values()] })) satisfies StreamsRecording;
      case 'close':
        for (const c of clients) {
          c.closing = true;
          c.abort.abort();
        }
        await Promise.all(clients.map((c) => c.done));
        clients = [];
        dropped = 0;
        return undefined;
    }
  };

  port.on('message', ({ id, request }: { id: number; request: StreamsRequest }) => {
    handle(request).then(
      (result) => port.postMessage({ id, result }),
      (err: Error) => port.postMessage({ id, error: err.message }),
    );
  });
}

if (parentPort) runWorker(parentPort);
