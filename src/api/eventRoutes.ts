import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { changeFeed } from '../events/changeFeed.js';
import { changeEventNames, type ChangeEvent, type HelloData } from '../events/changeEvents.js';
import type { ApiDeps } from './deps.js';
import { sendProblem } from './problems.js';
import { batchEncoder, openSseStream, type SseStream } from './sseStream.js';

export const EVENTS_PATH = '/api/v1/events';

export interface EventRouteOptions {
  pollIntervalMs?: number;
  heartbeatMs?: number;
  /** open streams per process; each costs a socket and a little memory, the poller is shared */
  maxStreams?: number;
}

/**
 * GET /api/v1/events: a text/event-stream of changes (alerts, remediation
 * steps, incident timelines, hosts, the kill switch, silences) for the
 * console to refetch what it shows. It sits under /api/, so the bearer
 * token hook guards it like any other read.
 */
export function eventRoutes(app: FastifyInstance, deps: ApiDeps, opts: EventRouteOptions = {}): void {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxStreams = opts.maxStreams ?? 500;
  const feed = changeFeed({ db: deps.store.db, logger: deps.logger, pollIntervalMs: opts.pollIntervalMs });
  const streams = new Set<SseStream>();
  const encode = batchEncoder<ChangeEvent>();

  new Gauge({
    name: 'prodeng_event_streams',
    help: 'Open GET /api/v1/events streams in this process.',
    registers: [deps.metrics.registry],
    collect() {
      this.set(streams.size);
    },
  });
  new Gauge({
    name: 'prodeng_change_feed_polling',
    help: '1 while this process polls the store for changes to stream (from the first stream open to the last closed).',
    registers: [deps.metrics.registry],
    collect() {
      this.set(feed.polling ? 1 : 0);
    },
  });

  // preClose, not onClose: the server waits for open connections before
  // onClose hooks run, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close('server_closing');
    await feed.close();
  });

  // No HEAD route: it would run this handler and hold the connection open with no body.
  app.get(EVENTS_PATH, { exposeHeadRoute: false }, async (request, reply) => {
    if (streams.size >= maxStreams) return sendProblem(reply, 503, 'too_many_streams', `this server already has ${maxStreams} event streams open; try again later`);
    let stream: SseStream | null = null;
    const subscription = await feed.subscribe((changes) => stream?.sendEncoded(encode(changes)));
    if (!subscription.ok) return sendProblem(reply, 503, subscription.code, subscription.message);

    // From here on the handler writes the response itself; neither the
    // serializer, onSend hooks nor the error handler touch it.
    reply.hijack();
    // The client may have left while the subscription started.
    if (reply.raw.destroyed || request.raw.socket.destroyed) {
      subscription.unsubscribe();
      return;
    }
    const opened = openSseStream(reply.raw, {
      heartbeatMs,
      retryMs: 3000,
      maxBufferedBytes: 1 << 20,
      onEnd: (reason) => {
        subscription.unsubscribe();
        streams.delete(opened);
        if (reason === 'slow_client') request.log.info({ url: request.url }, 'event stream cut off: the client reads too slowly');
      },
    });
    streams.add(opened);
    stream = opened;
    const hello: HelloData = { serverTime: new Date(deps.clock.now()).toISOString(), pollIntervalMs: feed.pollIntervalMs, events: changeEventNames };
    opened.send('hello', hello);
  });
}
