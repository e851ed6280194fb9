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

/** One valid alert broken in one of many ways; returns the body and the field the error must name. */
function brokenBatch(rand: () => number): { body: unknown; field: RegExp } {
  const alerts: any[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, validAlert);
  const i = Math.floor(rand() * alerts.length);
  const victim = alerts[i];
  const at = `^\\[${i}\\]`;
  const cases: Array<() => RegExp> = [
    () => ((victim.labels = {}), new RegExp(`${at}\\.labels`)),
    () => (delete victim.labels, new RegExp(`${at}\\.labels`)),
    () => ((victim.labels = 'alertname=x'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels['bad-name'] = 'v'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels['9lives'] = 'v'), new RegExp(`${at}\\.labels`)),
    () => ((victim.labels.alertname = 42), new RegExp(`${at}\\.labels\\.alertname`)),
    () => ((victim.labels.alertname = null), new RegExp(`${at}\\.labels\\.alertname`)),
    () => ((victim.labels.big = 'x'.repeat(3000)), new RegExp(`${at}\\.labels\\.big`)),
    () => {
      for (let k = 0; k < 70; k++) victim.labels[`l${k}`] = 'v';
      return new RegExp(`${at}\\.labels`);
    },
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

  it('refuses 300 randomly broken Prometheus batches, all-or-nothing', async () => {
    const rand = rng(20261122);
    for (let n = 0; n < 300; n++) {
      const { body, field } = brokenBatch(rand);
      const res = await server.request('POST', '/api/v2/alerts', body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.fields.map((f: any) => f.field).join(' '), JSON.stringify(res.body)).toMatch(field);
    }
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
  });

  it('refuses malformed JSON, non-arrays, wrong content types and oversized bodies', async () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['[{"labels":', { 'content-type': 'application/json' }, 400, 'invalid_json'],
      ['{"labels":{"a":"b"}}', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['', { 'content-type': 'application/json' }, 400, 'invalid_json'],
      ['labels=a', { 'content-type': 'text/csv' }, 415, 'unsupported_media_type'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await server.request('POST', '/api/v2/alerts', body, headers);
      expect(res.status, body).toBe(status);
      expect(res.body.error.code, body).toBe(code);
    }
    const huge = JSON.stringify(Array.from({ length: 9000 }, (_, i) => ({ labels: { alertname: 'x'.repeat(2000), i: String(i) } })));
    const res = await server.request('POST', '/api/v2/alerts', huge, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
    const tooMany = Array.from({ length: 10001 }, (_, i) => ({ labels: { i: String(i) } }));
    const many = await server.request('POST', '/api/v2/alerts', tooMany);
    expect(many.status).toBe(400);
    expect(many.body.error.message).toContain('10000');
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
  });

  it('refuses random bytes on every intake endpoint without writing anything', async () => {
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
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
    expect((await server.request('GET', '/api/v1/silences')).body.silences).toHaveLength(0);
  });
});
