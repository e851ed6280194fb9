import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { sloMinutes } from './support/sloMinutes.js';

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop, labels: { job: checkout } }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-checkout }
spec:
  match: { alertname: CheckoutDown }
  target: "{{ labels.instance }}"
  steps: [{ name: restart, action: exec, with: { argv: ["${process.execPath}", "-e", ""], timeout: 10s } }]
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  objective: 99.9
  indicator: { events: {} }
  policy: { requireApproval: { runbooks: [restart-checkout] } }
`;

describeEachStore('SLO error-budget policy: automation asks before spending a spent budget', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: config, clock });
  });
  afterEach(async () => server.stop());

  const minute = sloMinutes(() => server, () => clock, 'checkout-availability');
  async function remediationFor(instance: string) {
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CheckoutDown', job: 'checkout', instance } }]);
    await server.remediation.runOnce();
    const all = (await server.request('GET', '/api/v1/remediations')).body.remediations as any[];
    return all.find((r) => r.target === instance);
  }

  it('runs the named runbook while the budget lasts, and asks a human once the budget is spent, saying which SLO and why', async () => {
    for (let m = 0; m < 30; m++) await minute(1000, 0);
    const before = await remediationFor('checkout-1');
    expect(before.status).not.toBe('awaiting_approval');

    await minute(0, 1000);
    const after = await remediationFor('checkout-2');
    expect(after.status).toBe('awaiting_approval');
    expect(after.reason).toMatch(/SLO checkout-availability has -\d+(\.\d)?% of its error budget left \(exhausted\); its policy asks a human to approve runbook restart-checkout/);
    const detail = (await server.request('GET', `/api/v1/remediations/${after.id}`)).body;
    expect(JSON.stringify(detail)).toContain('its policy asks a human to approve runbook restart-checkout');
  });
});
