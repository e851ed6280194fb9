import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchEncoder, openSseStream, sseFrame, type SseEndReason, type SseStream } from './sseStream.js';

describe('sseFrame', () => {
  it('is one event line and one data line; line breaks in the data stay escaped', () => {
    expect(sseFrame('incident', { message: 'two\nlines\r' })).toBe('event: incident\ndata: {"message":"two\\nlines\\r"}\n\n');
  });
});

describe('openSseStream', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  async function serve(onOpen: (stream: SseStream) => void, ends: SseEndReason[]) {
    server = createServer((_req, res) => onOpen(openSseStream(res, { heartbeatMs: 20, retryMs: 1500, maxBufferedBytes: 1 << 20, onEnd: (r) => ends.push(r) })));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it('starts with a retry line, keeps the connection alive with comments, and sees the client leave', async () => {
    const ends: SseEndReason[] = [];
    const url = await serve((s) => s.send('hello', { ok: true }), ends);
    const abort = new AbortController();
    const res = await fetch(url, { signal: abort.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(': keep-alive\n\n: keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text.startsWith('retry: 1500\n\nevent: hello\ndata: {"ok":true}\n\n: keep-alive\n\n')).toBe(true);
    abort.abort();
    await vi.waitFor(() => expect(ends).toEqual(['client_closed']));
  });

  it('closes the response and the connection when the server ends it', async () => {
    const ends: SseEndReason[] = [];
    const url = await serve((s) => setTimeout(() => s.close('server_closing'), 10), ends);
    const res = await fetch(url);
    expect(await res.text()).toBe('retry: 1500\n\n');
    expect(ends).toEqual(['server_closing']);
  });
});

describe('batchEncoder', () => {
  it('encodes a batch as consecutive frames, and the same batch only once', () => {
    const encode = batchEncoder<{ event: string; data: unknown }>();
    const batch = [
      { event: 'alert', data: { alertId: 1 } },
      { event: 'host', data: { host: 'web-1' } },
    ];
    const bytes = encode(batch);
    expect(bytes.toString()).toBe(sseFrame('alert', { alertId: 1 }) + sseFrame('host', { host: 'web-1' }));
    expect(encode(batch)).toBe(bytes);
    const next = encode([{ event: 'alert', data: { alertId: 2 } }]);
    expect(next.toString()).toBe(sseFrame('alert', { alertId: 2 }));
  });
});
