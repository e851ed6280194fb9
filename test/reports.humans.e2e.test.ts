import { afterEach, expect, it, vi } from 'vitest';
import { reportCommand } from '../src/cli/reportCommand.js';
import { renderDigestText } from '../src/reports/digestRender.js';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13, reports: MTTA was always "-" (it was measured on alerts, which only a sender acknowledges), a failure
// storm's hand-over to a human counted as skipped, and a fix a human approved counted as fixed without a human.
const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-cart }
spec:
  match: { alertname: CartDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  manualMinutes: 10
  safety: { maxUnhealthy: { per: cluster, max: 1 } }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: careful }
spec:
  match: { alertname: Careful }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  manualMinutes: 20
  safety: { requireApproval: true, approvalTimeout: 30m }
`;

const MIN = 60_000;

describeEachStore('reports count what humans did', (kind) => {
  let server: TestServer;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.stop();
  });
  const drain = async () => {
    while ((await server.remediation.runOnce()) > 0) {
      // until no due work is left
    }
  };

  it('measures MTTA from incident to acknowledgement, and counts a storm hand-over as escalated and an approved fix as needing a human', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    // Three cart hosts of one cluster fail at once: one is fixed, the storm is handed to a human, the third joins its incident.
    const res = await server.request('POST', '/api/v2/alerts', ['cart-1', 'cart-2', 'cart-3'].map((instance) => ({ labels: { alertname: 'CartDown', instance, cluster: 'eu-1', service: 'cart' } })));
    expect(res.status).toBe(200);
    await drain();
    const statuses = ((await server.request('GET', '/api/v1/remediations?runbook=restart-cart')).body.remediations as Array<{ status: string }>).map((r) => r.status).sort();
    expect(statuses).toEqual(['skipped', 'skipped', 'succeeded']);
    const [incident] = (await server.request('GET', '/api/v1/incidents')).body.incidents as Array<{ id: number; title: string }>;
    expect(incident!.title).toBe('too many unhealthy in scope cluster=eu-1 (restart-cart)');

    // A fix that waits for a human's approval.
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Careful', instance: 'db-1', service: 'cart' } }]);
    await drain();
    const [careful] = (await server.request('GET', '/api/v1/remediations?runbook=careful')).body.remediations as Array<{ id: number; status: string }>;
    expect(careful!.status).toBe('awaiting_approval');
    expect((await server.request('POST', `/api/v1/remediations/${careful!.id}/approve`, { by: 'bob', reason: 'go' })).status).toBe(200);
    await drain();
    expect((await server.request('GET', `/api/v1/remediations/${careful!.id}`)).body.status).toBe('succeeded');

    // Somebody acknowledges the storm's incident four minutes after it opened.
    clock.advance(4 * MIN);
    expect((await server.request('POST', `/api/v1/incidents/${incident!.id}/ack`, { by: 'alice' })).status).toBe(200);
    clock.advance(MIN);

    const teams = (await server.request('GET', '/api/v1/reports/teams?team=shop')).body;
    const cart = teams.teams[0].services[0];
    expect(cart).toMatchObject({
      service: 'cart',
      mtta: { count: 1, mean: 240, p50: 240, p90: 240 },
      remediations: { succeeded: 2, approvedByHuman: 1, failed: 0, escalated: 1, skipped: 1 },
      autoRemediationRate: 0.3333,
      minutesSaved: 30,
    });

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await reportCommand().parseAsync(['teams', '--team', 'shop', '--url', server.url], { from: 'user' });
    expect(lines.join('\n')).toMatch(/shop\s+cart\s+4\s+4m \/ 4m \(1\)\s+\S+\s+33\.3% \(1 of 3\)\s+30/);

    const digest = (await server.request('GET', '/api/v1/reports/digest?team=shop')).body;
    expect(digest.remediations).toEqual({ finished: 4, byStatus: { succeeded: 2, approvedByHuman: 1, failed: 0, escalated: 1, skipped: 1 }, minutesSaved: 30 });
    expect(renderDigestText(digest)).toContain("4 finished (2 succeeded (1 after a human's approval), 0 failed, 1 escalated, 1 skipped); 30 minutes of manual work saved");

    const metrics = (await fetch(`${server.url}/metrics`).then((r) => r.text())).split('\n');
    expect(metrics).toContain(`prodeng_remediation_fixed_without_human_ratio ${1 / 3}`);
  });
});
