import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const ROUTING_KEY = 'R0UT1NGKEYFORCHECKOUT0000000000A';
const config = `
apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec:
  owner: payments
  integrationKeys:
    - { name: events-v2, env: TEST_CHECKOUT_ROUTING_KEY }
`;

describeEachStore('PagerDuty Events API v2 (POST /v2/enqueue)', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    process.env.TEST_CHECKOUT_ROUTING_KEY = ROUTING_KEY;
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { configYaml: config, clock });
  });
  afterEach(async () => server.stop());

  const trigger = (extra: Record<string, unknown> = {}) => ({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    payload: { summary: 'Payment gateway timeouts', source: 'pay-1.example.com', severity: 'error', component: 'gateway', custom_details: { p99: 2300 } },
    ...extra,
  });

  it('accepts a trigger, generating and returning a dedup_key, in PagerDuty\'s reply shape', async () => {
    const res = await server.request('POST', '/v2/enqueue', trigger());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const { body } = await server.request('GET', '/api/v1/alerts');
    expect(body.alerts[0]).toMatchObject({
      status: 'firing',
      source: 'pagerduty',
      service: 'checkout',
      host: 'pay-1.example.com',
      severity: 'error',
      summary: 'Payment gateway timeouts',
      dedupKey: res.body.dedup_key,
    });
    const detail = await server.request('GET', `/api/v1/alerts/${body.alerts[0].id}`);
    expect(JSON.stringify(detail.body)).not.toContain(ROUTING_KEY);
  });

  it('applies the same dedup_key to the open alert, acknowledges and resolves it', async () => {
    await server.request('POST', '/v2/enqueue', trigger({ dedup_key: 'gw-timeouts' }));
    await server.request('POST', '/v2/enqueue', trigger({ dedup_key: 'gw-timeouts' }));
    let alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].occurrences).toBe(2);
    const ack = await server.request('POST', '/v2/enqueue', { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: 'gw-timeouts' });
    expect(ack.status).toBe(202);
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts[0].status).toBe('acknowledged');
    await server.request('POST', '/v2/enqueue', { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'gw-timeouts' });
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts[0].status).toBe('resolved');
    // After resolve, a trigger with the same key opens a new alert.
    await server.request('POST', '/v2/enqueue', trigger({ dedup_key: 'gw-timeouts' }));
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts.map((a: any) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('drops acknowledge and resolve for an unknown key', async () => {
    const res = await server.request('POST', '/v2/enqueue', { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'never-seen' });
    expect(res.status).toBe(202);
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
  });

  it('refuses invalid events with PagerDuty\'s error shape, naming the field', async () => {
    const noSeverity = await server.request('POST', '/v2/enqueue', trigger({ payload: { summary: 'x', source: 'y' } }));
    expect(noSeverity.status).toBe(400);
    expect(noSeverity.body.status).toBe('invalid event');
    expect(noSeverity.body.errors.join(' ')).toContain('payload.severity');

    const badAction = await server.request('POST', '/v2/enqueue', { ...trigger(), event_action: 'explode' });
    expect(badAction.body.errors.join(' ')).toContain('event_action');

    const noKey = await server.request('POST', '/v2/enqueue', { routing_key: ROUTING_KEY, event_action: 'resolve' });
    expect(noKey.body.errors.join(' ')).toContain('dedup_key');

    const wrongKey = await server.request('POST', '/v2/enqueue', trigger({ routing_key: 'not-a-key' }));
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.errors.join(' ')).toContain('routing_key');

    const notJson = await server.request('POST', '/v2/enqueue', '{"routing_key":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.status).toBe('invalid event');
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
  });

  it('rejects an event over 512 KB', async () => {
    const big = trigger({ payload: { summary: 'big', source: 's', severity: 'info', custom_details: { blob: 'x'.repeat(600 * 1024) } } });
    const res = await server.request('POST', '/v2/enqueue', big);
    expect(res.status).toBe(413);
    expect(res.body.status).toBe('invalid event');
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts).toHaveLength(0);
  });
});
