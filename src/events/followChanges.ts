// How the console follows GET /api/v1/events: fetch with the session's
// token (EventSource cannot send a header), parse, reconnect after a drop.
// No Node imports, so the console can use it as it is.
import { changeEventNames, type ChangeEvent, type ChangeEventName, type HelloData } from './changeEvents.js';
import { eventStreamParser, type ServerSentEvent } from './eventStreamParser.js';

export type FollowState = 'connecting' | 'live' | 'reconnecting';

export type FollowEnd = { ok: true } | { ok: false; code: 'unauthorized'; message: string };

export interface FollowChangesOptions {
  /** e.g. "/api/v1/events" */
  url: string;
  token?: string | null;
  /** connected (again): changes made while away are not replayed, so refetch what is shown */
  onHello(hello: HelloData): void;
  onChange(change: ChangeEvent): void;
  /** for a "live" indicator */
  onState?(state: FollowState): void;
  /** abort to stop following */
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** the wait before reconnecting when the server did not name one (default 3 s); doubles, up to 30 s, while attempts keep failing */
  retryMs?: number;
}

const MAX_RETRY_MS = 30_000;
const knownEvents = new Set<string>(changeEventNames);

function decode(message: ServerSentEvent): { hello: HelloData } | { change: ChangeEvent } | null {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (message.event === 'hello') return { hello: data as HelloData };
  // Events a newer server adds are skipped, not errors.
  if (knownEvents.has(message.event)) return { change: { event: message.event as ChangeEventName, data } as ChangeEvent };
  return null;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Follows the change stream until the signal aborts, or the server refuses the token. */
export async function followChanges(opts: FollowChangesOptions): Promise<FollowEnd> {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let retryMs = opts.retryMs ?? 3000;
  let failures = 0;

  while (!opts.signal.aborted) {
    opts.onState?.(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const res = await doFetch(opts.url, { headers, signal: opts.signal, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        return { ok: false, code: 'unauthorized', message: body.error?.message ?? `HTTP ${res.status}` };
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const parser = eventStreamParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) {
          const decoded = decode(message);
          if (!decoded) continue;
          if ('hello' in decoded) {
            failures = 0;
            opts.onState?.('live');
            opts.onHello(decoded.hello);
          } else {
            opts.onChange(decoded.change);
          }
        }
        retryMs = parser.retryMs ?? retryMs;
      }
    } catch {
      // A dropped connection or a refused request: wait and connect again.
    }
    if (opts.signal.aborted) break;
    failures++;
    await pause(Math.min(retryMs * 2 ** (failures - 1), MAX_RETRY_MS), opts.signal);
  }
  return { ok: true };
}
