import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const config = `
apiVersion: prodeng/v1
kind: Team
metadata: { name: data }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: billing }
spec: { owner: data }
---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: nightly-backup }
spec:
  interval: 10m
  grace: 1m
  service: billing
  summary: The nightly backup did not report
`;

describeEachStore('generic intake and heartbeats', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
  });
  afterEach(async () => server.stop());

  it('says why a resolve changed nothing: a dedupKey sent without the service it fired under', async () => {
    await server.request('POST', '/api/v1/intake/generic', { summary: 'Queue depth over 10k', dedupKey: 'queue-depth', service: 'billing' });
    const wrong = await server.request('POST', '/api/v1/intake/generic', { status: 'resolved', dedupKey: 'queue-depth' });
    expect(wrong.status).toBe(202);
    expect(wrong.body.outcome).toBe('ignored');
    expect(wrong.body.reason).toContain('under service "billing"');
    expect(wrong.body.reason).toContain('send the same service it fired with');
    const never = await server.request('POST', '/api/v1/intake/generic', { status: 'resolved', dedupKey: 'never-fired', service: 'billing' });
    expect(never.body.reason).toMatch(/no open alert has dedupKey "never-fired" in service "billing"/);
    const right = await server.request('POST', '/api/v1/intake/generic', { status: 'resolved', dedupKey: 'queue-depth', service: 'billing' });
    expect(right.body.outcome).toBe('resolved');
    expect(right.body.reason).toBeUndefined();
  });

  it('takes generic JSON alerts keyed by dedupKey and resolves them', async () => {
    const fired = await server.request('POST', '/api/v1/intake/generic', {
      summary: 'Queue depth over 10k',
      dedupKey: 'queue-depth',
      severity: 'critical',
      service: 'billing',
      labels: { queue: 'invoices' },
    });
    expect(fired.status).toBe(202);
    expect(fired.body.outcome).toBe('created');
    await server.request('POST', '/api/v1/intake/generic', { summary: 'Queue depth over 10k', dedupKey: 'queue-depth', service: 'billing' });
    let alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: 'generic', service: 'billing', occurrences: 2, dedupKey: 'queue-depth' });
    const resolved = await server.request('POST', '/api/v1/intake/generic', { dedupKey: 'queue-depth', service: 'billing', status: 'resolved' });
    expect(resolved.body.outcome).toBe('resolved');
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts[0].status).toBe('resolved');
  });

  it('refuses a generic alert without summary or with an unknown field', async () => {
    const noSummary = await server.request('POST', '/api/v1/intake/generic', { dedupKey: 'x' });
    expect(noSummary.status).toBe(400);
    expect(noSummary.body.error.fields[0].field).toBe('summary');
    const unknown = await server.request('POST', '/api/v1/intake/generic', { summary: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].field).toBe('colour');
  });

  it('fires when a heartbeat misses its interval plus grace, and the next ping resolves it', async () => {
    expect((await server.request('POST', '/api/v1/heartbeats/nightly-backup/ping')).status).toBe(200);
    clock.advance(10 * 60_000);
    await server.maintenance.runOnce();
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
    clock.advance(2 * 60_000);
    await server.maintenance.runOnce();
    await server.maintenance.runOnce(); // still missed: not fired twice
    let alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'firing', source: 'heartbeat', service: 'billing', summary: 'The nightly backup did not report', occurrences: 1 });
    expect((await server.request('GET', '/api/v1/heartbeats')).body.heartbeats[0].state).toBe('missed');
    await server.request('GET', '/api/v1/heartbeats/nightly-backup/ping');
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts[0].status).toBe('resolved');
    expect((await server.request('GET', '/api/v1/heartbeats')).body.heartbeats[0].state).toBe('ok');
  });

  it('answers 404 for a heartbeat that is not configured', async () => {
    const res = await server.request('POST', '/api/v1/heartbeats/nope/ping');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('nope');
  });
});
