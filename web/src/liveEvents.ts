import { sessionToken } from './api';
import type { ChangeEventName } from '../../src/events/changeEvents.js';
import { followChanges } from '../../src/events/followChanges.js';

/** The kinds of change the server streams from GET /api/v1/events. */
export type LiveKind = ChangeEventName;

type Listener = (kind: LiveKind, data: unknown) => void;

const ALL_KINDS: LiveKind[] = ['alert', 'remediation', 'incident', 'host', 'automation', 'silence'];

const listeners = new Set<Listener>();
const statusListeners = new Set<(live: boolean) => void>();
let live = false;
let running: AbortController | null = null;

function setLive(next: boolean) {
  if (live === next) return;
  live = next;
  for (const l of statusListeners) l(live);
}

function connect() {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  void followChanges({
    url: '/api/v1/events',
    token: sessionToken(),
    signal: controller.signal,
    // Changes made while disconnected are not replayed: every page refetches.
    onHello: () => {
      for (const l of listeners) for (const kind of ALL_KINDS) l(kind, null);
    },
    onChange: (change) => {
      for (const l of listeners) l(change.event, change.data);
    },
    onState: (state) => setLive(state === 'live'),
  }).finally(() => {
    setLive(false);
    if (running === controller) running = null;
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
  return () => {
    statusListeners.delete(listener);
  };
}

/** After a new token is entered: reconnect with it. */
export function reconnectLive(): void {
  running?.abort();
  running = null;
  if (listeners.size > 0) connect();
}
