import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS_PATH } from '../src/api/eventRoutes.js';
import { eventStreamParser, type ServerSentEvent } from '../src/events/eventStreamParser.js';
import { followChanges } from '../src/events/followChanges.js';
import type { ChangeEvent } from '../src/events/changeEvents.js';
import { startServer, type RunningServer } from '../src/server.js';
import { systemClock } from '../src/store/clock.js';
import { createTestDatabase, describeEachStore, postgresUrl, type TestDatabase } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

/** A real streaming reader of GET /api/v1/events: fetch, then the body as it arrives. */
interface EventStreamClient {
  status: number;
  headers: Headers;
  /** every message so far, hello first */
  messages: ServerSentEvent[];
  /** the first message of this event whose data matches; waits up to timeoutMs */
  waitFor(event: string, match?: (data: any) => boolean, timeoutMs?: number): Promise<any>;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  disconnect(): void;
}

async function connect(baseUrl: string, headers: Record<string, string> = {}, path = EVENTS_PATH): Promise<EventStreamClient> {
  const abort = new AbortController();
  const res = await fetch(baseUrl + path, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const messages: ServerSentEvent[] = [];
  const parser = eventStreamParser();
  const decoder = new TextDecoder();
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        messages.push(...parser.push(decoder.decode(value, { stream: true })));
      }
    } catch {
      // aborted by disconnect()
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    messages,
    ended,
    disconnect: () => abort.abort(),
    waitFor: (event, match = () => true, timeoutMs = 2500) =>
      vi.waitFor(
        () => {
          const found = messages.find((m) => m.event === event && match(JSON.parse(m.data)));
          if (!found) throw new Error(`no "${event}" event yet; got ${messages.map((m) => m.event).join(', ') || 'nothing'}`);
          return JSON.parse(found.data);
        },
        { timeout: timeoutMs, interval: 20 },
      ),
  };
}

async function gauge(baseUrl: string, name: string, headers: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

const postJson = (baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describeEachStore('GET /api/v1/events', (kind) => {
  const running: TestServer[] = [];
  const clients: EventStreamClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const s of running.splice(0)) await s.stop();
  });
  const start = async (opts: Parameters<typeof startTestServer>[1] = {}) => {
    const server = await startTestServer(kind, opts);
    running.push(server);
    return server;
  };
  const open = async (baseUrl: string, headers?: Record<string, string>) => {
    const client = await connect(baseUrl, headers);
    clients.push(client);
    return client;
  };

  it('says hello, then sends an alert posted through intake within two seconds', async () => {
    const server = await start();
    const client = await open(server.url);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(client.headers.get('cache-control')).toBe('no-cache');
    expect(client.headers.get('x-accel-buffering')).toBe('no');
    const hello = await client.waitFor('hello');
    expect(hello.events).toEqual(['alert', 'remediation', 'incident', 'host', 'automation', 'silence']);

    const posted = Date.now();
    const intake = await postJson(server.url, '/api/v1/intake/generic', { summary: 'disk full on db-1', severity: 'critical', labels: { alertname: 'DiskFull', instance: 'db-1' } });
    expect(intake.status).toBe(202);
    const alert = await client.waitFor('alert', (d) => d.alertId === intake.body.alertId);
    expect(Date.now() - posted).toBeLessThan(2000);
    expect(alert).toEqual({ eventId: expect.any(Number), alertId: intake.body.alertId, action: 'firing', source: 'generic', count: 1, at: expect.any(String) });
  });

  it('sends an incident’s timeline as it grows: opened, then a note', async () => {
    const server = await start();
    const client = await open(server.url);
    await client.waitFor('hello');
    const opened = await postJson(server.url, '/api/v1/incidents', { title: 'checkout is slow', by: 'alice' });
    expect(opened.status).toBe(201);
    const incidentId = opened.body.id;
    await client.waitFor('incident', (d) => d.incidentId === incidentId && d.kind === 'opened');
    const noted = await postJson(server.url, `/api/v1/incidents/${incidentId}/notes`, { by: 'bob', text: 'rolled back the deploy' });
    expect(noted.status).toBe(200);
    const note = await client.waitFor('incident', (d) => d.incidentId === incidentId && d.kind === 'note');
    expect(note).toMatchObject({ actor: 'bob', message: 'rolled back the deploy' });
  });

  it('needs the bearer token when API tokens are configured, and not in the query string', async () => {
    const server = await start({ apiTokens: ['s3cret-token'] });
    const anonymous = await fetch(server.url + EVENTS_PATH);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe('unauthorized');
    for (const query of ['?token=s3cret-token', '?access_token=s3cret-token']) expect((await fetch(server.url + EVENTS_PATH + query)).status).toBe(401);

    const client = await open(server.url, { authorization: 'Bearer s3cret-token' });
    expect(client.status).toBe(200);
    await client.waitFor('hello');

    // The console's own client follows it the same way.
    const abort = new AbortController();
    const changes: ChangeEvent[] = [];
    const following = followChanges({ url: server.url + EVENTS_PATH, token: 's3cret-token', signal: abort.signal, onHello() {}, onChange: (c) => changes.push(c) });
    await vi.waitFor(async () => expect(await gauge(server.url, 'prodeng_event_streams', { authorization: 'Bearer s3cret-token' })).toBe(2));
    const silence = await postJson(
      server.url,
      '/api/v1/silences',
      { matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'carol', comment: 'maintenance' },
      { authorization: 'Bearer s3cret-token' },
    );
    expect(silence.status).toBe(201);
    await vi.waitFor(() => expect(changes.map((c) => c.event)).toContain('silence'), { timeout: 2500, interval: 20 });
    abort.abort();
    expect(await following).toEqual({ ok: true });
    expect(await followChanges({ url: server.url + EVENTS_PATH, token: 'wrong', signal: abort.signal, onHello() {}, onChange() {} })).toEqual({ ok: true });
    expect(await followChanges({ url: server.url + EVENTS_PATH, token: 'wrong', signal: new AbortController().signal, onHello() {}, onChange() {} })).toEqual({
      ok: false,
      code: 'unauthorized',
      message: 'the API token is not valid',
    });
  });

  it('ends open streams when the server closes, promptly', async () => {
    const server = await startTestServer(kind);
    const client = await open(server.url);
    await client.waitFor('hello');
    const began = Date.now();
    await server.close();
    expect(Date.now() - began).toBeLessThan(1500);
    await client.ended;
    await server.db.cleanup();
  });

  it('stops polling the store when the last client disconnects', async () => {
    const server = await start();
    expect(await gauge(server.url, 'prodeng_change_feed_polling')).toBe(0);
    const first = await open(server.url);
    const second = await open(server.url);
    await first.waitFor('hello');
    await second.waitFor('hello');
    expect(await gauge(server.url, 'prodeng_event_streams')).toBe(2);
    expect(await gauge(server.url, 'prodeng_change_feed_polling')).toBe(1);
    first.disconnect();
    await vi.waitFor(async () => expect(await gauge(server.url, 'prodeng_event_streams')).toBe(1));
    expect(await gauge(server.url, 'prodeng_change_feed_polling')).toBe(1);
    second.disconnect();
    await vi.waitFor(async () => expect(await gauge(server.url, 'prodeng_event_streams')).toBe(0));
    expect(await gauge(server.url, 'prodeng_change_feed_polling')).toBe(0);

    // A new client starts it again and gets what is committed from then on.
    const third = await open(server.url);
    await third.waitFor('hello');
    const intake = await postJson(server.url, '/api/v1/intake/generic', { summary: 'again', labels: { alertname: 'Again' } });
    await third.waitFor('alert', (d) => d.alertId === intake.body.alertId);
  });
});

describe.skipIf(!postgresUrl)('GET /api/v1/events across replicas [postgres]', () => {
  let db: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  const clients: EventStreamClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const s of servers.splice(0)) await s.close();
    await db?.cleanup();
  });

  it('sends a change committed through one replica to a client of another', async () => {
    db = await createTestDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ ...db.options, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock: systemClock, logger: pino({ level: 'silent' }) }));
    }
    const [a, b] = servers as [RunningServer, RunningServer];
    const client = await connect(b.url);
    clients.push(client);
    await client.waitFor('hello');
    const intake = await postJson(a.url, '/api/v1/intake/generic', { summary: 'seen from the other replica', labels: { alertname: 'Replicated' } });
    expect(intake.status).toBe(202);
    await client.waitFor('alert', (d) => d.alertId === intake.body.alertId);
  });
});
