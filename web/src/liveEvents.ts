import { sessionToken } from './api';

/** The kinds of change the server streams from GET /api/v1/events. */
export type LiveKind = 'alert' | 'remediation' | 'incident' | 'host' | 'automation' | 'silence';

type Listener = (kind: LiveKind, data: unknown) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(live: boolean) => void>();
let live = false;
let running: AbortController | null = null;
let retryMs = 1000;

function setLive(next: boolean) {
  if (live === next) return;
  live = next;
  for (const l of statusListeners) l(live);
}

/** One SSE frame ("event: x\ndata: {...}") to its kind and data; comments and hellos give null. */
function parseFrame(frame: string): { kind: string; data: unknown } | null {
  let kind = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') kind = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { kind, data: JSON.parse(data.join('\n')) as unknown };
  } catch {
    return { kind, data: data.join('\n') };
  }
}

// fetch rather than EventSource: EventSource cannot send the Authorization header,
// and a token in the URL would end up in logs.
async function readStream(signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const token = sessionToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch('/api/v1/events', { headers, signal });
  if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
  setLive(true);
  retryMs = 1000;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = parseFrame(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (frame) for (const l of listeners) l(frame.kind as LiveKind, frame.data);
    }
  }
}

function connect() {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  readStream(controller.signal)
    .catch(() => undefined)
    .finally(() => {
      setLive(false);
      if (running !== controller || controller.signal.aborted) return;
      running = null;
      // Reconnect with backoff; pages keep polling meanwhile, so nothing is missed for long.
      setTimeout(() => {
        if (listeners.size > 0) connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
}

function disconnectWhenUnused() {
  if (listeners.size > 0 || !running) return;
  running.abort();
  running = null;
  setLive(false);
}

/** Calls `listener` for every change the server streams; returns the unsubscribe. */
export function onLiveChange(listener: Listener): () => void {
  listeners.add(listener);
  connect();
  return () => {
    listeners.delete(listener);
    // Let a page switch re-subscribe before the stream is torn down.
    setTimeout(disconnectWhenUnused, 1000);
  };
}

/** Whether the stream is connected, for the header's indicator. */
export function onLiveStatus(listener: (live: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(live);
  return () => statusListeners.delete(listener);
}

/** After a new token is entered: reconnect with it. */
export function reconnectLive(): void {
  running?.abort();
  running = null;
  if (listeners.size > 0) connect();
}
