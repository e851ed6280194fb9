import { describe, expect, it, vi } from 'vitest';
import type { ChangeEvent, HelloData } from './changeEvents.js';
import { followChanges, type FollowState } from './followChanges.js';

const hello: HelloData = { serverTime: '2026-03-01T12:00:00.000Z', pollIntervalMs: 500, events: ['alert'] };
const alert = { eventId: 1, alertId: 7, action: 'firing', source: 'generic', count: 1, at: '2026-03-01T12:00:00.000Z' };

/** A response whose body is these pieces, then either its end or, with `hold`, nothing until the request is aborted. */
function streamResponse(pieces: string[], signal: AbortSignal, hold = false): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of pieces) controller.enqueue(new TextEncoder().encode(p));
      if (!hold) controller.close();
      else signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

describe('followChanges', () => {
  it('sends the token, hands over hello and changes, skips events it does not know, and reconnects after a drop', async () => {
    const controller = new AbortController();
    const calls: RequestInit[] = [];
    const fetchStub = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      calls.push(init!);
      if (calls.length === 1) {
        return streamResponse([`event: hello\ndata: ${JSON.stringify(hello)}\n\n`, ': keep-alive\n\nevent: alert\ndata: ', `${JSON.stringify(alert)}\n\nevent: future\ndata: {}\n\n`], init!.signal!);
      }
      return streamResponse([`event: hello\ndata: ${JSON.stringify(hello)}\n\n`], init!.signal!, true);
    });
    const hellos: HelloData[] = [];
    const changes: ChangeEvent[] = [];
    const states: FollowState[] = [];
    const following = followChanges({
      url: '/api/v1/events',
      token: 't0ken',
      signal: controller.signal,
      fetch: fetchStub as typeof fetch,
      retryMs: 1,
      onHello: (h) => hellos.push(h),
      onChange: (c) => changes.push(c),
      onState: (s) => states.push(s),
    });
    await vi.waitFor(() => expect(hellos).toHaveLength(2));
    controller.abort();
    expect(await following).toEqual({ ok: true });
    expect(changes).toEqual([{ event: 'alert', data: alert }]);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(calls[0]!.headers).toMatchObject({ authorization: 'Bearer t0ken', accept: 'text/event-stream' });
  });

  it('stops with an error when the server refuses the token', async () => {
    const fetchStub = async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'the API token is not valid' } }), { status: 401 });
    const result = await followChanges({ url: '/api/v1/events', token: 'wrong', signal: new AbortController().signal, fetch: fetchStub as typeof fetch, onHello() {}, onChange() {} });
    expect(result).toEqual({ ok: false, code: 'unauthorized', message: 'the API token is not valid' });
  });
});
