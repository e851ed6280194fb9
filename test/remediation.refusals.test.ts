import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13, "refused, then forgotten": a firing alert that matched a runbook
// but that automation would not act on was recorded as skipped and nobody
// was told. Now every refusal reaches a human, one incident per cause.
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
  safety: { maxUnhealthy: { per: cluster, max: 1 } }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: share-of-cluster }
spec:
  match: { alertname: DiskFull }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  safety: { maxUnhealthy: { per: cluster, max: "50%" } }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: quiet-refusals }
spec:
  match: { alertname: Noise }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  safety: { maxUnhealthy: { per: cluster, max: 1 }, onRefusal: skip }
`;

describeEachStore('refusals reach a human', (kind) => {
  let server: TestServer;
  afterEach(async () => server?.stop());
  const fire = (labels: Record<string, string>) => server.request('POST', '/api/v2/alerts', [{ labels: { service: 'cart', ...labels } }]);
  const incidents = async () => (await server.request('GET', '/api/v1/incidents')).body.incidents as Array<{ id: number; title: string; alertIds?: number[] }>;
  const remediations = async () => (await server.request('GET', '/api/v1/remediations')).body.remediations as Array<{ id: number; runbook: string; status: string; reason: string }>;

  it('opens one incident per cause, joins later refusals of that cause to it, and records only where the runbook says skip', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-22T10:00:00Z')), configYaml: config });
    // No cluster label: maxUnhealthy per cluster cannot be applied, three times.
    for (const instance of ['cart-1', 'cart-2', 'cart-3']) expect((await fire({ alertname: 'CartDown', instance })).status).toBe(200);
    let open = await incidents();
    expect(open).toHaveLength(1);
    expect(open[0]!.title).toBe('automation refused to act: alerts without cluster (maxUnhealthy is per cluster) (runbook restart-cart)');
    const story = (await server.request('GET', `/api/v1/incidents/${open[0]!.id}`)).body;
    const text = JSON.stringify(story);
    for (const instance of ['cart-1', 'cart-2', 'cart-3']) expect(text).toContain(instance === 'cart-1' ? 'maxUnhealthy is per cluster' : 'also refused');
    expect(story.alertIds ?? story.alert_ids ?? story.incident?.alertIds).toHaveLength(3);
    const refused = (await remediations()).filter((r) => r.runbook === 'restart-cart');
    expect(refused.map((r) => r.status)).toEqual(['escalated', 'escalated', 'escalated']);
    for (const r of refused) expect(r.reason).toContain(`handed to a human (incident ${open[0]!.id})`);

    // Explicitly quiet: recorded, nobody told.
    await fire({ alertname: 'Noise', instance: 'cart-4' });
    expect(await incidents()).toHaveLength(1);
    expect((await remediations()).find((r) => r.runbook === 'quiet-refusals')).toMatchObject({ status: 'skipped' });

    // A gate's refusal (the cluster's size is not known, so 50% of it is not either) is another cause, on the worker's side.
    await fire({ alertname: 'DiskFull', instance: 'disk-5', cluster: 'eu-1', service: 'payments' });
    await server.remediation.runOnce();
    open = await incidents();
    const gate = (await remediations()).find((r) => r.runbook === 'share-of-cluster')!;
    expect(gate.status).toBe('escalated');
    expect(gate.reason).toMatch(/size of cluster=eu-1 is not known.*handed to a human \(incident \d+\)/);
    expect(open.map((i) => i.title)).toContain('automation refused to act: maxUnhealthy in cluster=eu-1 (runbook share-of-cluster)');
  });
});
