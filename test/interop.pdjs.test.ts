import { Agent } from 'node:https';
import type { Server } from 'node:tls';
import { event } from '@pagerduty/pdjs';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { loopbackTls } from './support/tlsTerminator.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 14: anything that speaks PagerDuty Events v2 can send to prodeng; this
// is the official JavaScript client, @pagerduty/pdjs, doing so. pdjs always
// speaks https (`https://${server}/v2/enqueue`), so the test puts a TLS
// terminator in front of prodeng, as a deployment would, with a certificate
// made for it by openssl, and hands pdjs an agent that trusts that certificate.

/** What pdjs sends; its type makes `payload` required, which acknowledge and resolve do not need. */
type PdEvent = Parameters<typeof event>[0]['data'];
type Sent = Omit<PdEvent, 'routing_key' | 'payload'> & { payload?: Partial<PdEvent['payload']> };

const ROUTING_KEY = 'R0UT1NGKEYFORCHECKOUT0000000000B';
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
    - { name: events-v2, env: TEST_PDJS_ROUTING_KEY }
`;

const loopback = loopbackTls({ beforeAll, afterAll }, 'pdjs test');
const haveOpenssl = loopback.available;
const tlsTerminator = (target: URL) => loopback.terminator(target);

describeEachStore('PagerDuty Events v2 with the official @pagerduty/pdjs client', (kind) => {
  let server: TestServer;
  let terminator: { server: Server; host: string };
  beforeEach(async () => {
    if (!haveOpenssl) return;
    process.env.TEST_PDJS_ROUTING_KEY = ROUTING_KEY;
    server = await startTestServer(kind, { configYaml: config, clock: new ManualClock(Date.parse('2026-11-22T10:00:00Z')) });
    terminator = await tlsTerminator(new URL(server.url));
  });
  afterEach(async () => {
    terminator?.server.close();
    await server?.stop();
  });

  const send = (data: Sent) => {
    // `agent` reaches node-fetch through pdjs' options (it spreads them into the request).
    const options: Parameters<typeof event>[0] & { agent: Agent } = { server: terminator.host, data: { routing_key: ROUTING_KEY, ...data } as PdEvent, agent: new Agent({ ca: loopback.cert }) };
    return event(options);
  };
  const alertStatuses = async () => ((await server.request('GET', '/api/v1/alerts?service=checkout')).body.alerts as any[]).map((a) => `${a.dedupKey} ${a.status}`);

  it.skipIf(!haveOpenssl)('trigger, acknowledge and resolve: pdjs reports success each time and the alert goes firing, acknowledged, resolved', async () => {
    const triggered = await send({
      event_action: 'trigger',
      dedup_key: 'gw-timeouts-pdjs',
      payload: { summary: 'Payment gateway timeouts', source: 'pay-1.example.com', severity: 'critical', component: 'gateway', custom_details: { p99: 2300 } },
    });
    expect(triggered.ok).toBe(true);
    expect(triggered.status).toBe(202);
    expect(triggered.data).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'gw-timeouts-pdjs' });
    const alert = ((await server.request('GET', '/api/v1/alerts')).body.alerts as any[])[0];
    expect(alert).toMatchObject({ status: 'firing', source: 'pagerduty', service: 'checkout', host: 'pay-1.example.com', severity: 'critical', summary: 'Payment gateway timeouts' });

    const acked = await send({ event_action: 'acknowledge', dedup_key: 'gw-timeouts-pdjs' });
    expect(acked.ok).toBe(true);
    expect(acked.data).toMatchObject({ status: 'success', dedup_key: 'gw-timeouts-pdjs' });
    expect(await alertStatuses()).toEqual(['gw-timeouts-pdjs acknowledged']);

    const resolved = await send({ event_action: 'resolve', dedup_key: 'gw-timeouts-pdjs' });
    expect(resolved.ok).toBe(true);
    expect(resolved.data).toMatchObject({ status: 'success', dedup_key: 'gw-timeouts-pdjs' });
    expect(await alertStatuses()).toEqual(['gw-timeouts-pdjs resolved']);
  });

  it.skipIf(!haveOpenssl)('a trigger without a dedup_key: pdjs gets the key prodeng made, and resolving with it resolves the alert', async () => {
    const triggered = await send({ event_action: 'trigger', payload: { summary: 'Card declines above 5%', source: 'pay-2.example.com', severity: 'warning' } });
    expect(triggered.ok).toBe(true);
    const key = triggered.data.dedup_key as string;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await alertStatuses()).toEqual([`${key} firing`]);
    const resolved = await send({ event_action: 'resolve', dedup_key: key });
    expect(resolved.data.status).toBe('success');
    expect(await alertStatuses()).toEqual([`${key} resolved`]);
  });

  it.skipIf(!haveOpenssl)('an invalid event: pdjs sees a 400 with PagerDuty\'s error body, and nothing is stored', async () => {
    const refused = await send({ event_action: 'trigger', payload: { summary: 'no severity', source: 'pay-3' } });
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ status: 'invalid event', message: 'Event object is invalid', errors: [expect.stringContaining('payload.severity')] });
    expect(await alertStatuses()).toEqual([]);
  });
});
