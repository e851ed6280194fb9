import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/store/clock.js';
import { describeEachStore } from '../support/testDatabases.js';
import { rawRequest } from '../support/rawHttp.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Issue 12, "ways in": each finding replayed against a running server.

const user = (name: string) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${name} }\nspec: { email: ${name}@example.com }\n`;
const token = (name: string, role: string, who?: string) =>
  `apiVersion: prodeng/v1\nkind: ApiToken\nmetadata: { name: ${name} }\nspec: { role: ${role}, tokenEnv: TEST_TOKEN_${name.toUpperCase().replace(/-/g, '_')}${who ? `, user: ${who}` : ''} }\n`;

const people = [
  ...['alice', 'newbie'].map(user),
  `apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: { members: [{ user: alice }, { user: newbie }] }
`,
  `apiVersion: prodeng/v1
kind: Service
metadata: { name: payments-api }
spec: { owner: payments }
`,
  `apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-primary }
spec:
  team: payments
  timeZone: UTC
  layers: [{ name: primary, rotation: { every: 1w }, start: "2026-11-02T09:00:00", participants: [alice] }]
  shadows: [{ user: newbie, follows: { layer: primary }, from: "2026-11-01T00:00:00", to: "2027-01-01T00:00:00" }]
`,
  `apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: nightly-backup }
spec: { interval: 1h }
`,
].join('---\n');

const config = [
  people,
  token('alice', 'responder', 'alice'),
  token('newbie', 'responder', 'newbie'),
  token('viewer', 'read-only'),
  token('prometheus', 'intake'),
  token('ops-bot', 'admin'),
].join('---\n');

const secrets = { alice: 'tok-alice-1111', newbie: 'tok-newbie-2222', viewer: 'tok-viewer-3333', prometheus: 'tok-prom-4444', 'ops-bot': 'tok-ops-5555' };
const bearer = (name: keyof typeof secrets) => ({ authorization: `Bearer ${secrets[name]}` });

function setTokenEnv() {
  for (const [name, secret] of Object.entries(secrets)) process.env[`TEST_TOKEN_${name.toUpperCase().replace(/-/g, '_')}`] = secret;
}

/** Every log line the server writes, to look for secrets in. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

describeEachStore('security: no way in without a token', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async (opts: Parameters<typeof startTestServer>[1] = {}) => {
    setTokenEnv();
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config, ...opts });
    return server;
  };

  // Only PRODENG_API_TOKENS here, as on the main this was found on.
  const envAdmin = { authorization: 'Bearer tok-env-admin-0000' };

  it('judges a percent-encoded path as the route it reaches: every guarded GET, the event stream and the heartbeat ping', async () => {
    const s = await start({ configYaml: people, apiTokens: ['tok-env-admin-0000'] });
    const encoded = ['/%61pi/v1/alerts', '/%61pi/v1/incidents', '/api/v1/%65vents', '/%61pi/v1/remediations', '/api/%761/schedules', '/%61pi/v1/heartbeats/nightly-backup/ping'];
    for (const path of encoded) {
      const res = await rawRequest(s.url, { path });
      expect(res.status, path).toBe(401);
    }
    const ping = await rawRequest(s.url, { method: 'POST', path: '/api/v1/%68eartbeats/nightly-backup/ping' });
    expect(ping.status).toBe(401);
    // The heartbeat was not pinged: its record has no ping.
    const rows = await s.store.db.selectFrom('heartbeats').select('last_ping_at').where('name', '=', 'nightly-backup').execute();
    expect(rows[0]?.last_ping_at).toBeNull();
    // The same paths with a token reach the route they decode to.
    expect((await rawRequest(s.url, { path: '/%61pi/v1/alerts', headers: envAdmin })).status).toBe(200);
    // Paths no route matches are refused without a token, and 404 with one.
    expect((await rawRequest(s.url, { path: '/%2561pi/v1/alerts' })).status).toBe(401);
    expect((await rawRequest(s.url, { path: '/API/v1/alerts' })).status).toBe(401);
    expect((await rawRequest(s.url, { path: '/API/v1/alerts', headers: envAdmin })).status).toBe(404);
    for (const odd of ['//api/v1/alerts', '/api/v1/./alerts', '/api/v1/x/../alerts', '/api/v1/alerts%00', '/api/v1/alerts;a=b', '/api/v1/alerts%2f', '/api%2fv1%2falerts', '/.%2e/api/v1/alerts']) {
      const res = await rawRequest(s.url, { path: odd });
      expect(res.status, odd).toBe(401);
    }
  });

  it('gives each role what it is for: read-only reads, intake sends, responders respond, admins change the fleet', async () => {
    const s = await start();
    const pause = { by: 'x', reason: 'game day' };
    const alert = [{ labels: { alertname: 'RoleTest' } }];
    expect((await s.request('GET', '/api/v1/alerts', undefined, bearer('viewer'))).status).toBe(200);
    const viewerPosts = await s.request('POST', '/api/v1/automation/pause', pause, bearer('viewer'));
    expect(viewerPosts.status).toBe(403);
    expect(viewerPosts.body.error.code).toBe('insufficient_role');
    expect((await s.request('POST', '/api/v2/alerts', alert, bearer('viewer'))).status).toBe(403);
    expect((await s.request('POST', '/api/v2/alerts', alert, bearer('prometheus'))).status).toBe(200);
    expect((await s.request('GET', '/api/v1/alerts', undefined, bearer('prometheus'))).status).toBe(403);
    expect((await s.request('POST', '/api/v1/automation/pause', pause, bearer('alice'))).status).toBe(200);
    expect((await s.request('POST', '/api/v1/hosts', { name: 'web-9', address: '10.0.0.9' }, bearer('alice'))).status).toBe(403);
    expect((await s.request('POST', '/api/v1/hosts', { name: 'web-9', address: '10.0.0.9' }, bearer('ops-bot'))).status).toBe(201);
    // The pause is recorded under the token's user, not the name typed.
    const state = await s.request('GET', '/api/v1/automation', undefined, bearer('viewer'));
    expect(JSON.stringify(state.body)).toContain('alice');
    expect(JSON.stringify(state.body)).not.toContain('"x"');
    expect((await s.request('GET', '/api/v1/whoami', undefined, bearer('newbie'))).body).toEqual({ name: 'newbie', role: 'responder', user: 'newbie', via: 'token' });
  });

  it('takes who acts from the credential: a shadow cannot acknowledge whatever name it sends, and a typed name is only a label', async () => {
    const s = await start();
    const opened = await s.request('POST', '/api/v1/incidents', { title: 'payments 502s', service: 'payments-api' }, bearer('ops-bot'));
    expect(opened.status).toBe(201);
    const id = opened.body.id;
    const asAlice = await s.request('POST', `/api/v1/incidents/${id}/ack`, { by: 'alice' }, bearer('newbie'));
    expect(asAlice.status).toBe(403);
    expect(asAlice.body.error.message).toContain('newbie is shadowing');
    const bare = await s.request('POST', `/api/v1/incidents/${id}/ack`, {}, bearer('newbie'));
    expect(bare.status).toBe(403);
    expect((await s.request('GET', `/api/v1/incidents/${id}`, undefined, bearer('viewer'))).body.status).toBe('open');
    // The shadow may still write a note, under its own name.
    const note = await s.request('POST', `/api/v1/incidents/${id}/notes`, { by: 'alice', text: 'watching the dashboard' }, bearer('newbie'));
    expect(note.status).toBe(200);
    expect(note.body.timeline.at(-1)).toMatchObject({ actor: 'newbie' });
    // Alice acknowledges as herself, whatever she types.
    const acked = await s.request('POST', `/api/v1/incidents/${id}/ack`, { by: 'mallory' }, bearer('alice'));
    expect(acked.status).toBe(200);
    expect(acked.body.acknowledgedBy).toBe('alice');
    // A service token acts under its own name; the typed name stays beside it as a label.
    const resolved = await s.request('POST', `/api/v1/incidents/${id}/resolve`, { by: 'bob' }, bearer('ops-bot'));
    expect(resolved.body.resolvedBy).toBe('ops-bot (for bob)');
  });

  it('acknowledges nothing when an acknowledgement link is only fetched (GET or HEAD); the page posts it', async () => {
    const s = await start();
    const opened = await s.request('POST', '/api/v1/incidents', { title: 'payments 502s', service: 'payments-api' }, bearer('ops-bot'));
    const id = opened.body.id as number;
    const { ackLink, linkSecret } = await import('../../src/paging/ackLinks.js');
    const link = ackLink(s.url, await linkSecret(s.store.db), id, 'alice');
    const path = link.slice(s.url.length);
    for (const method of ['GET', 'HEAD']) expect((await rawRequest(s.url, { method, path })).status, method).toBe(200);
    expect((await s.request('GET', `/api/v1/incidents/${id}`, undefined, bearer('viewer'))).body.status).toBe('open');
    const page = await rawRequest(s.url, { path });
    expect(page.body).toContain('<form method="post">');
    const posted = await rawRequest(s.url, { method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URL(link).search.slice(1) });
    expect(posted.status).toBe(200);
    const after = await s.request('GET', `/api/v1/incidents/${id}`, undefined, bearer('viewer'));
    expect(after.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    // Single use: the same link again changes nothing.
    expect((await rawRequest(s.url, { method: 'POST', path })).status).toBe(409);
    // A forged user is refused.
    expect((await rawRequest(s.url, { method: 'POST', path: path.replace('user=alice', 'user=mallory') })).status).toBe(403);
  });

  it('never writes a token to the log, wherever it is sent', async () => {
    const log = capturedLog();
    const s = await start({ logger: log.logger, configYaml: people, apiTokens: ['tok-env-admin-0000'] });
    const secret = 'tok-env-admin-0000';
    await rawRequest(s.url, { path: `/api/v1/alerts?token=${secret}` });
    await rawRequest(s.url, { path: `/no/such/path?token=${secret}&access_token=${secret}` });
    await rawRequest(s.url, { path: `/api/v1/alerts?token=${secret}`, headers: { authorization: `Bearer ${secret}x` } });
    await rawRequest(s.url, { path: `/api/v1/alerts/not-a-number?token=${secret}`, headers: envAdmin });
    await rawRequest(s.url, { path: `/api/v1/alerts?limit=0&token=${secret}`, headers: envAdmin });
    expect(log.text()).toContain('request refused');
    expect(log.text()).not.toContain(secret);
  });
});

describeEachStore('security: a token-less server on loopback', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers only loopback host names, so a rebinding page cannot pause automation', async () => {
    server = await startTestServer(kind);
    const pause = JSON.stringify({ by: 'attacker', reason: 'rebinding' });
    const rebound = await rawRequest(server.url, { method: 'POST', path: '/api/v1/automation/pause', headers: { host: 'rebind.attacker.example:8080', 'content-type': 'application/json' }, body: pause });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed');
    expect((await rawRequest(server.url, { path: '/api/v1/alerts', headers: { host: 'rebind.attacker.example' } })).status).toBe(403);
    expect((await server.request('GET', '/api/v1/automation')).body.paused).toBe(false);
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:8080', 'app.localhost']) {
      expect((await rawRequest(server.url, { path: '/api/v1/alerts', headers: { host } })).status, host).toBe(200);
    }
  });

  it('refuses a change sent by a page of another origin, and takes one from its own', async () => {
    server = await startTestServer(kind);
    const host = new URL(server.url).host;
    const body = JSON.stringify({ by: 'x', reason: 'y' });
    const json = { 'content-type': 'application/json', host };
    const cases: Array<[Record<string, string>, number]> = [
      [{ origin: 'http://evil.example' }, 403],
      [{ origin: 'null' }, 403],
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, 200],
      [{}, 200],
    ];
    for (const [headers, status] of cases) {
      const res = await rawRequest(server.url, { method: 'POST', path: '/api/v1/automation/resume', headers: { ...json, ...headers }, body });
      expect(res.status, JSON.stringify(headers)).toBe(status);
    }
  });
});

describe('security: tokens configured wrongly stop the server from starting', () => {
  it('refuses an ApiToken whose variable is not set, and two tokens with one value', async () => {
    const { startServer } = await import('../../src/server.js');
    const { writeConfigDir } = await import('../support/testServer.js');
    delete process.env.TEST_TOKEN_GHOST;
    const ghost = writeConfigDir(token('ghost', 'admin'));
    await expect(startServer({ configDir: ghost, port: 0, sqliteFile: ':memory:', logger: pino({ level: 'silent' }) })).rejects.toThrow(/TEST_TOKEN_GHOST is not set/);
    process.env.TEST_TOKEN_TWIN = 'same-value';
    const twin = writeConfigDir(token('twin', 'admin'));
    await expect(startServer({ configDir: twin, port: 0, sqliteFile: ':memory:', apiTokens: ['same-value'], logger: pino({ level: 'silent' }) })).rejects.toThrow(/same value/);
  });
});
