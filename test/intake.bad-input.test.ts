import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// A small seeded generator, so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const validAlert = () => ({ labels: { alertname: 'Valid', instance: 'x' }, annotations: { summary: 's' }, startsAt: '2026-11-22T10:00:00Z' });

/**
 * A batch of distinct valid alerts, one broken in one of many ways; returns the body, the field the error
 * must name, and null for a field where Alertmanager accepts it too (a long value, many labels).
 */
function brokenBatch(rand: () => number, batch: number): { body: unknown[]; field: RegExp | null } {
  const alerts: any[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, k) => {
    const a = validAlert();
    a.labels.instance = `b${batch}-${k}`;
    return a;
  });
  const i = Math.floor(rand() * alerts.length);
  const victim = alerts[i];
  const at = `^\\[${i}\\]`;
  const cases: Array<() => RegExp | null> = [
    () => ((victim.labels = {}), new RegExp(`${at}\\.labels`)),
    () => (delete victim.labels, new RegExp(`${at}\\.labels`)),
    () => ((victim.labels = 'alertname=x'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels['bad-name'] = 'v'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels['9lives'] = 'v'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels.alertname = 42), new RegExp(`${at}\\.labels\\.alertname`)),
    () => ((victim.labels.alertname = null), new RegExp(`${at}\\.labels\\.alertname`)),
    () => ((victim.labels.big = 'x'.repeat(3000)), null),
    () => {
      for (let k = 0; k < 70; k++) victim.labels[`l${k}`] = 'v';
      return null;
    },
    () => ((victim.labels.huge = 'x'.repeat(300_000)), new RegExp(at)),
    () => ((victim.endsAt = '2026-11-22T09:00:00Z'), new RegExp(`${at}\\.endsAt`)),
    () => ((victim.annotations = { 'not-a-name': 'x' }), new RegExp(`${at}\\.annotations`)),
    () => ((victim.startsAt = 'yesterday'), new RegExp(`${at}\\.startsAt`)),
    () => ((victim.endsAt = 12345), new RegExp(`${at}\\.endsAt`)),
    () => ((victim.annotations = ['a']), new RegExp(`${at}\\.annotations`)),
    () => ((victim.annotations = { summary: { nested: true } }), new RegExp(`${at}\\.annotations\\.summary`)),
    () => ((victim.generatorURL = 7), new RegExp(`${at}\\.generatorURL`)),
    () => ((alerts[i] = 'not an object'), new RegExp(at)),
    () => ((alerts[i] = null), new RegExp(at)),
  ];
  const field = cases[Math.floor(rand() * cases.length)]!();
  return { body: alerts, field };
}

describeEachStore('bad input is refused with the field named, and nothing is written', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server.stop());

  it('keeps the good alerts of 300 randomly broken Prometheus batches, and names the bad one in a 400 (issue 14)', async () => {
    const rand = rng(20261122);
    let kept = 0;
    for (let n = 0; n < 300; n++) {
      const { body, field } = brokenBatch(rand, n);
      const res = await server.request('POST', '/api/v2/alerts', body);
      const what = JSON.stringify(body).slice(0, 200);
      if (field === null) {
        // Alertmanager takes it, so prodeng does
        expect(res.status, what).toBe(200);
        kept += body.length;
        continue;
      }
      expect(res.status, what).toBe(400);
      // Alertmanager's API v2 gives a 400 as a JSON string
      expect(typeof res.body, what).toBe('string');
      expect(res.body).toMatch(new RegExp(`^1 of ${body.length} alerts refused, the other ${body.length - 1} stored: `));
      expect(res.body.split(': ').slice(1).join(': ')).toMatch(field);
      kept += body.length - 1;
    }
    const listed = await server.request('GET', '/api/v1/alerts?limit=1000');
    expect(listed.body.alerts).toHaveLength(kept);
  });

  const stored = async () => (await server.request('GET', '/api/v1/alerts?limit=1000')).body.alerts.length as number;

  it('refuses malformed JSON, non-arrays, wrong content types and oversized bodies', async () => {
    const before = await stored();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['[{"labels":', { 'content-type': 'application/json' }, 400, 'invalid_json'],
      ['', { 'content-type': 'application/json' }, 400, 'invalid_json'],
      ['labels=a', { 'content-type': 'text/csv' }, 415, 'unsupported_media_type'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await server.request('POST', '/api/v2/alerts', body, headers);
      expect(res.status, body).toBe(status);
      // Alertmanager's API answers errors as a bare JSON string; prodeng's code rides in a header.
      expect(typeof res.body, body).toBe('string');
      expect(res.headers.get('prodeng-error'), body).toBe(code);
    }
    const notArray = await server.request('POST', '/api/v2/alerts', '{"labels":{"a":"b"}}', { 'content-type': 'application/json' });
    expect(notArray.status).toBe(400);
    expect(notArray.body).toBe('the body must be a JSON array of alerts');
    const huge = JSON.stringify(Array.from({ length: 9000 }, (_, i) => ({ labels: { alertname: 'x'.repeat(2000), i: String(i) } })));
    const res = await server.request('POST', '/api/v2/alerts', huge, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.headers.get('prodeng-error')).toBe('body_too_large');
    expect(res.body).toContain('bytes');
    const tooMany = Array.from({ length: 10001 }, (_, i) => ({ labels: { i: String(i) } }));
    const many = await server.request('POST', '/api/v2/alerts', tooMany);
    expect(many.status).toBe(400);
    expect(many.body).toContain('10000');
    expect(await stored()).toBe(before);
  });

  it('refuses random bytes on every intake endpoint without writing anything', async () => {
    const before = await stored();
    const rand = rng(7);
    const endpoints = ['/api/v2/alerts', '/api/v1/intake/alertmanager', '/api/v1/intake/generic', '/v2/enqueue', '/api/v1/silences'];
    for (let n = 0; n < 150; n++) {
      const len = Math.floor(rand() * 60);
      let text = '';
      for (let k = 0; k < len; k++) text += String.fromCharCode(32 + Math.floor(rand() * 95));
      if (rand() < 0.5) text = `{${text}`;
      const endpoint = endpoints[n % endpoints.length]!;
      const res = await server.request('POST', endpoint, text, { 'content-type': 'application/json' });
      expect(res.status, `${endpoint} ${text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${endpoint} ${text}`).toBeLessThan(500);
    }
    expect(await stored()).toBe(before);
    expect((await server.request('GET', '/api/v1/silences')).body.silences).toHaveLength(0);
  });
});
