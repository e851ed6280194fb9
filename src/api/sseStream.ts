import type { ServerResponse } from 'node:http';

export type SseEndReason = 'client_closed' | 'server_closing' | 'slow_client';

/** One open text/event-stream response. */
export interface SseStream {
  send(event: string, data: unknown): void;
  /** writes frames already encoded (sseFrames), e.g. the same bytes to many streams */
  sendEncoded(frames: Buffer): void;
  /** ends the stream for the server's own reasons; the client sees a clean end and may reconnect */
  close(reason: Exclude<SseEndReason, 'client_closed'>): void;
  readonly ended: boolean;
}

export interface SseStreamOptions {
  /** a comment this often keeps proxies and load balancers from cutting an idle stream */
  heartbeatMs: number;
  /** what the client's EventSource waits before reconnecting */
  retryMs: number;
  /** a client that lets this much pile up unread is cut off: it reconnects and refetches */
  maxBufferedBytes: number;
  onEnd(reason: SseEndReason): void;
}

/** One event: JSON.stringify escapes line breaks, so the data is one `data:` line. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Encodes a batch of events once, for every stream it goes to: the feed
 * hands each stream the same batch, so the last one encoded is kept. One
 * JSON.stringify and one Buffer per event, not one per event per stream.
 */
export function batchEncoder<T extends { event: string; data: unknown }>(): (events: readonly T[]) => Buffer {
  let last: { events: readonly T[]; bytes: Buffer } | null = null;
  return (events) => {
    if (last?.events !== events) last = { events, bytes: Buffer.from(events.map((e) => sseFrame(e.event, e.data)).join('')) };
    return last.bytes;
  };
}

export const sseHeartbeat = ': keep-alive\n\n';

/** How long a closing stream may take to flush before its socket is cut. */
const CLOSE_GRACE_MS = 1000;

export function openSseStream(response: ServerResponse, opts: SseStreamOptions): SseStream {
  let ended = false;

  const finish = (reason: SseEndReason) => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    opts.onEnd(reason);
  };

  const write = (chunk: string | Buffer) => {
    if (ended || response.destroyed) return;
    response.write(chunk);
    if (response.writableLength > opts.maxBufferedBytes) stream.close('slow_client');
  };

  const stream: SseStream = {
    get ended() {
      return ended;
    },
    send: (event, data) => write(sseFrame(event, data)),
    sendEncoded: (frames) => write(frames),
    close(reason) {
      if (ended) return;
      finish(reason);
      if (reason === 'slow_client') {
        response.destroy();
        return;
      }
      // End the response, then the connection: a kept-alive socket would
      // otherwise hold server.close() open until the client leaves.
      response.end(() => response.socket?.end());
      setTimeout(() => response.destroy(), CLOSE_GRACE_MS).unref();
    },
  };

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // nginx would otherwise buffer the stream and deliver it in lumps.
    'x-accel-buffering': 'no',
  });
  response.write(`retry: ${opts.retryMs}\n\n`);
  const heartbeat = setInterval(() => write(sseHeartbeat), opts.heartbeatMs);
  heartbeat.unref();
  // The response's close, not the request's: since Node 16 a request emits
  // close once its body has been read, which says nothing about the client.
  response.on('close', () => finish('client_closed'));
  response.on('error', () => finish('client_closed'));
  return stream;
}
