import { Agent } from 'node:https';
import type { Server } from 'node:tls';
import { change } from '@pagerduty/pdjs';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { loopbackTls } from './support/tlsTerminator.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 19: a tool that sends PagerDuty change events (POST /v2/change/enqueue)
// can send them to prodeng instead; this is the official JavaScript client,
// @pagerduty/pdjs, doing so with its `change` call. As in interop.pdjs.test.ts,
// pdjs always speaks https, so a TLS terminator made with openssl stands in
// front of prodeng, and pdjs gets an agent that trusts its certificate.

/** PagerDuty's change event (pdjs declares `change` with the alert event's type, so the body is cast). */
interface ChangeEvent {
  routing_key: string;
  payload?: { summary?: string; source?: string; timestamp?: string; custom_details?: object };
  links?: Array<{ href: string; text?: string }>;
}
type PdData = Parameters<typeof change>[0]['data'];

const ROUTING_KEY = 'R0UT1NGKEYFORCHECKOUTCHANGES000B';
const ADMIN = 'pdjs-change-admin-token';
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
    - { name: events-v2, env: TEST_PDJS_CHANGE_ROUTING_KEY }
`;

const loopback = loopbackTls({ beforeAll, afterAll }, 'pdjs change test');
const haveOpenssl = loopback.available;
const tlsTerminator = (target: URL) => loopback.terminator(target);

describeEachStore('PagerDuty change events with the official @pagerduty/pdjs client', (kind) => {
  let server: TestServer;
  let terminator: { server: Server; host: string };
  beforeEach(async () => {
    if (!haveOpenssl) return;
    process.env.TEST_PDJS_CHANGE_ROUTING_KEY = ROUTING_KEY;
    // With API tokens: a change event carries no bearer token, its routing key is its credential.
    server = await startTestServer(kind, { configYaml: config, apiTokens: [ADMIN], clock: new ManualClock(Date.parse('2026-11-22T10:00:00Z')) });
    terminator = await tlsTerminator(new URL(server.url));
  });
  afterEach(async () => {
    terminator?.server.close();
    await server?.stop();
  });

  const send = (data: ChangeEvent) => {
    // `agent` reaches node-fetch through pdjs' options (it spreads them into the request).
    const options: Parameters<typeof change>[0] & { agent: Agent } = { server: terminator.host, data: data as unknown as PdData, agent: new Agent({ ca: loopback.cert }) };
    return change(options);
  };
  const stored = async () => {
    const res = await server.request('GET', '/api/v1/changes', undefined, { authorization: `Bearer ${ADMIN}` });
    expect(res.status).toBe(200);
    return res.body.changes as any[];
  };

  it.skipIf(!haveOpenssl)("PagerDuty's documented change event: pdjs gets PagerDuty's 202, and the change is on the record and on the incident", async () => {
    const sent = await send({
      routing_key: ROUTING_KEY,
      payload: {
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        timestamp: '2026-11-22T09:42:58.315+0000',
        source: 'acme-build-pipeline-tool-default-i-9999',
        custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s', version: '2.4.0', commit: '9A8B7C6D5E' },
      },
      links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
    });
    expect(sent.ok).toBe(true);
    expect(sent.status).toBe(202);
    expect(sent.data).toEqual({ status: 'success', message: 'Change event processed' });

    const [c, ...rest] = await stored();
    expect(rest).toEqual([]);
    expect(c).toEqual({
      id: expect.any(Number),
      service: 'checkout',
      version: '2.4.0',
      kind: 'other',
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      who: 'acme-build-pipeline-tool-default-i-9999 (PagerDuty change event)',
      commit: '9a8b7c6d5e',
      link: 'https://acme.pagerduty.dev/build/2',
      source: 'pagerduty',
      at: '2026-11-22T09:42:58.315Z',
      details: {
        source: 'acme-build-pipeline-tool-default-i-9999',
        custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s', version: '2.4.0', commit: '9A8B7C6D5E' },
        links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
      },
      receivedAt: '2026-11-22T10:00:00.000Z',
    });
    // The routing key is a secret: it is not kept.
    expect(JSON.stringify(c)).not.toContain(ROUTING_KEY);

    // Seventeen minutes later checkout breaks: the change is the first suspect.
    const opened = await server.request('POST', '/api/v1/incidents', { title: 'checkout snapshots time out', service: 'checkout' }, { authorization: `Bearer ${ADMIN}` });
    expect(opened.status).toBe(201);
    expect(opened.body.changesBefore.map((x: any) => [x.source, x.summary, x.when])).toEqual([['pagerduty', 'Build Success: Increase snapshot create timeout to 30 seconds', 'before']]);
  });

  it.skipIf(!haveOpenssl)('only the required fields: the change happened when prodeng heard of it', async () => {
    const sent = await send({ routing_key: ROUTING_KEY, payload: { summary: 'Feature flag new-checkout on' } });
    expect(sent.status).toBe(202);
    expect(sent.data).toEqual({ status: 'success', message: 'Change event processed' });
    expect(await stored()).toEqual([
      expect.objectContaining({ service: 'checkout', summary: 'Feature flag new-checkout on', who: 'PagerDuty change event', version: null, commit: null, link: null, at: '2026-11-22T10:00:00.000Z', details: {} }),
    ]);
  });

  it.skipIf(!haveOpenssl)("an unknown routing key: pdjs sees PagerDuty's 400, and nothing is stored", async () => {
    const refused = await send({ routing_key: 'NOT-A-KEY-OF-ANY-SERVICE-0000000', payload: { summary: 'Deployed 1.2.3' } });
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(400);
    expect(refused.data).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is not the integration key of any service"] });
    expect(await stored()).toEqual([]);
  });

  it.skipIf(!haveOpenssl)("bad bodies: pdjs sees PagerDuty's 400 naming the field, and nothing is stored", async () => {
    const noSummary = await send({ routing_key: ROUTING_KEY, payload: { source: 'ci' } });
    expect(noSummary.status).toBe(400);
    expect(noSummary.data).toMatchObject({ status: 'invalid event', message: 'Event object is invalid', errors: [expect.stringContaining("'payload.summary'")] });

    const noPayload = await send({ routing_key: ROUTING_KEY });
    expect(noPayload.status).toBe(400);
    expect(noPayload.data.errors).toEqual([expect.stringContaining("'payload'")]);

    const badTime = await send({ routing_key: ROUTING_KEY, payload: { summary: 'x', timestamp: 'last tuesday' } });
    expect(badTime.status).toBe(400);
    expect(badTime.data.errors).toEqual(["'payload.timestamp' must be an ISO 8601 time"]);

    const badLink = await send({ routing_key: ROUTING_KEY, payload: { summary: 'x' }, links: [{ text: 'no href' } as never] });
    expect(badLink.status).toBe(400);
    expect(badLink.data.errors).toEqual([expect.stringContaining("'links[0].href'")]);

    // Not JSON at all (pdjs cannot send that; curl can): PagerDuty's shape still.
    const notJson = await server.request('POST', '/v2/change/enqueue', '{"routing_key": ', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid', errors: [expect.any(String)] });

    expect(await stored()).toEqual([]);
  });
});
