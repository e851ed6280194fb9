import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { rawRequest } from './support/rawHttp.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13, "losing or mangling data": bad input gets a 4xx naming the field,
// the same on both stores, and a refused request stores nothing.

const config = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice }] }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop, integrationKeys: [{ name: main, env: FUZZ_PD_KEY }] }
---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: shop-primary }
spec:
  team: shop
  timeZone: UTC
  layers: [{ name: primary, rotation: { every: 1w }, start: "2026-11-02T09:00:00", participants: [alice] }]
`;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

const hostileStrings = ['\u0000', 'a\u0000b', 'x'.repeat(70_000), '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '99999999999999999999', '1e309', 'NaN', '../../etc/passwd', '%00', '\ud800', '{{ labels.constructor }}', '', ' '];
const hostileValues: unknown[] = [...hostileStrings, null, -1, 0, 1e308, -1e308, 2 ** 64, true, [], {}, nested(40), nested(300), [[[[[[]]]]]]];

/** A valid body for each route, to be broken in one place. */
const bodies: Array<{ method: string; path: string; body: () => any }> = [
  { method: 'POST', path: '/api/v2/alerts', body: () => [{ labels: { alertname: 'Fuzz', instance: 'web-1' }, annotations: { summary: 's' }, startsAt: '2026-11-10T12:00:00Z' }] },
  { method: 'POST', path: '/api/v1/intake/generic', body: () => ({ summary: 'fuzz', dedupKey: 'k1', status: 'firing', severity: 'warning', labels: { a: 'b' }, annotations: {}, service: 'cart' }) },
  {
    method: 'POST',
    path: '/api/v1/intake/alertmanager',
    body: () => ({ version: '4', groupKey: 'g', status: 'firing', receiver: 'prodeng', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts: [{ status: 'firing', labels: { alertname: 'Fuzz' }, annotations: {}, startsAt: '2026-11-10T12:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'abc' }] }),
  },
  { method: 'POST', path: '/v2/enqueue', body: () => ({ routing_key: 'fuzz-key', event_action: 'trigger', dedup_key: 'd1', payload: { summary: 'fuzz', source: 'web-1', severity: 'error', custom_details: { a: 1 } } }) },
  { method: 'POST', path: '/api/v1/silences', body: () => ({ matchers: ['alertname=Fuzz'], duration: '1h', createdBy: 'alice', comment: 'fuzz' }) },
  { method: 'POST', path: '/api/v1/incidents', body: () => ({ title: 'fuzz', service: 'cart', by: 'alice', details: 'd' }) },
  { method: 'POST', path: '/api/v1/schedules/shop-primary/overrides', body: () => ({ user: 'alice', from: '2026-11-10T13:00:00Z', to: '2026-11-10T14:00:00Z', reason: 'r', by: 'alice' }) },
];

/** Breaks one place of a body: a leaf, or the whole thing. */
function breakBody(body: any, rand: () => number): any {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const value = pick(hostileValues);
  if (rand() < 0.1) return value;
  const paths: Array<Array<string | number>> = [];
  const walk = (v: any, path: Array<string | number>) => {
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
    paths.push(path);
  };
  walk(body, []);
  const path = pick(paths.filter((p) => p.length > 0));
  let target = body;
  for (const key of path.slice(0, -1)) target = target[key];
  if (rand() < 0.2) target[`k${Math.floor(rand() * 9)}\u0000`] = value;
  else target[path[path.length - 1]!] = value;
  return body;
}

const readPaths = [
  '/api/v1/oncall?at=%2B275760-09-13T00:00:00Z',
  '/api/v1/oncall?at=-271821-04-20T00:00:00Z',
  '/api/v1/alerts/99999999999999999999',
  '/api/v1/alerts/1e3',
  '/api/v1/alerts?before=99999999999999999999',
  '/api/v1/alerts?limit=1e309',
  '/api/v1/silences/%00',
  '/api/v1/silences/a%00b',
  '/api/v1/incidents/99999999999999999999',
  '/api/v1/remediations/0x10',
  '/api/v1/hosts/%00',
  '/api/v1/schedules/shop-primary/shifts?from=%2B275760-09-13T00:00:00Z',
  '/api/v1/schedules/shop-primary/overrides?from=%2B275760-09-13T00:00:00Z',
  '/api/v1/reports/pareto?since=%00',
  '/api/v1/alerts?match[]=a%00%3D"b"',
];

describeEachStore('hostile input', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    process.env.FUZZ_PD_KEY = 'fuzz-key';
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config });
  });
  afterAll(async () => server?.stop());

  const counts = async () => {
    const db = server.store.db;
    const n = async (table: 'alerts' | 'alert_events' | 'silences' | 'incidents' | 'schedule_overrides') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { alerts: await n('alerts'), events: await n('alert_events'), silences: await n('silences'), incidents: await n('incidents'), overrides: await n('schedule_overrides') };
  };

  it('refuses the findings with a 4xx naming the field, and stores nothing of them', async () => {
    const before = await counts();
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/v1/silences', { matchers: ['a=b'], duration: '2500000000h', createdBy: 'x', comment: 'y' }, /^duration/],
      ['POST', '/api/v1/silences', { matchers: ['a=b'], startsAt: '+275760-09-13T00:00:00Z', endsAt: '+275760-09-13T01:00:00Z', createdBy: 'x', comment: 'y' }, /^startsAt/],
      ['POST', '/api/v1/intake/generic', { summary: 'nul \u0000 here', service: 'cart' }, /^summary/],
      ['POST', '/api/v1/incidents', { title: 'a\u0000b' }, /^title/],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await server.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.message, `${method} ${path}`).toMatch(field);
    }
    // A batch keeps its good alerts and names the bad one, in Alertmanager's string shape (issue 14).
    const nul = await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'A', v: 'x\u0000' } }]);
    expect(nul.status).toBe(400);
    expect(nul.body).toMatch(/^1 of 1 alerts refused, the other 0 stored: \[0\]\.labels\.v: contains a NUL/);
    // Written out by hand: JSON.stringify itself runs out of stack at this depth.
    const deep = `${'{"d":'.repeat(5000)}"bottom"${'}'.repeat(5000)}`;
    const pd = await server.request('POST', '/v2/enqueue', `{"routing_key":"fuzz-key","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"error","custom_details":${deep}}}`);
    expect(pd.status).toBe(400);
    expect(pd.body.status).toBe('invalid event');
    expect((await server.request('POST', '/api/v1/intake/generic', `{"summary":"s","service":"cart","labels":${deep}}`)).status).toBe(400);
    for (const path of readPaths) {
      const res = await rawRequest(server.url, { path });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    expect(await counts()).toEqual(before);
    expect((await server.request('GET', '/api/v1/silences')).status).toBe(200);
  });

  it('answers about 1,000 hostile bodies with no 5xx, and keeps nothing of a refused one', { timeout: 120_000 }, async () => {
    const rand = rng(kind === 'sqlite' ? 12 : 13);
    const fives: string[] = [];
    const leaked: string[] = [];
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const route = bodies[i % bodies.length]!;
      const body = breakBody(route.body(), rand);
      const before = await counts();
      const text = JSON.stringify(body) ?? 'null';
      const res = await rawRequest(server.url, { method: route.method, path: route.path, headers: { 'content-type': 'application/json' }, body: text });
      if (res.status >= 500) fives.push(`${route.path} ${text.slice(0, 200)} -> ${res.status} ${res.body.slice(0, 200)}`);
      if (res.status >= 400) {
        refused++;
        const after = await counts();
        if (JSON.stringify(after) !== JSON.stringify(before)) leaked.push(`${route.path} ${text.slice(0, 200)}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      }
    }
    expect(fives).toEqual([]);
    expect(leaked).toEqual([]);
    expect(refused).toBeGreaterThan(500);
  });
});
