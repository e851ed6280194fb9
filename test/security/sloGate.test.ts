import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/store/clock.js';
import { describeEachStore } from '../support/testDatabases.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Who lets changes through a spent error budget is taken from the token,
// never from the body, and only a responder may do it.
const config = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
spec: { email: alice@example.com }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: alice-responder }
spec: { role: responder, tokenEnv: SLO_GATE_TOKEN_ALICE, user: alice }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: ci-read }
spec: { role: read-only, tokenEnv: SLO_GATE_TOKEN_CI }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: pusher }
spec: { role: intake, tokenEnv: SLO_GATE_TOKEN_PUSH }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec: { service: checkout, objective: 99.9, indicator: { events: {} } }
`;

describeEachStore('security: the SLO gate and its overrides', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => server?.stop());

  it('records the token’s user as who overrode, refuses a read-only token, and lets CI read the gate', async () => {
    process.env.SLO_GATE_TOKEN_ALICE = 'slo-gate-alice-secret';
    process.env.SLO_GATE_TOKEN_CI = 'slo-gate-ci-secret';
    process.env.SLO_GATE_TOKEN_PUSH = 'slo-gate-push-secret';
    const clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: config, clock });
    const as = (secret: string) => ({ authorization: `Bearer ${secret}` });
    expect((await server.request('POST', '/api/v1/slis/checkout-availability/events', { good: 0, bad: 100 }, as('slo-gate-push-secret'))).status).toBe(200);
    expect((await server.request('POST', '/api/v1/slis/checkout-availability/events', { good: 0, bad: 100 }, as('slo-gate-ci-secret'))).status).toBe(403);
    clock.advance(60_000);
    await server.maintenance.runOnce();

    const gate = await server.request('GET', '/api/v1/slos/checkout-availability/gate', undefined, as('slo-gate-ci-secret'));
    expect(gate.status).toBe(423);
    const body = { reason: 'hotfix for the outage', for: '1h', createdBy: 'mallory' };
    expect((await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', body, as('slo-gate-ci-secret'))).status).toBe(403);
    expect((await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', body)).status).toBe(401);
    const created = await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', body, as('slo-gate-alice-secret'));
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('alice');
    const overrides = (await server.request('GET', '/api/v1/slos/checkout-availability/gate/overrides', undefined, as('slo-gate-ci-secret'))).body.overrides;
    expect(overrides.map((o: any) => o.createdBy)).toEqual(['alice']);
    expect((await server.request('GET', '/api/v1/slos/checkout-availability/gate', undefined, as('slo-gate-ci-secret'))).status).toBe(200);
  });
});
