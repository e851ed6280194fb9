import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const hosts = Array.from(
  { length: 50 },
  (_, i) => `---\napiVersion: prodeng/v1\nkind: Host\nmetadata: { name: node-${i} }\nspec: { address: "10.0.0.${i}:9100", cluster: eu-1 }\n`,
).join('');

const runbook = (name: string, alertname: string, extra: string) => `---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  match: { alertname: ${alertname} }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
${extra.replace(/^/gm, '  ')}
`;

const config =
  hosts +
  runbook('node-repair', 'NodeDown', 'verify: { alertResolvedWithin: 5m }\nsafety: { maxUnhealthy: { per: cluster, max: "10%" }, stormCooldown: 30m }') +
  runbook('flappy', 'Flap', 'safety: { maxAttempts: { count: 2, within: 1h } }') +
  runbook('cool', 'Cool', 'safety: { cooldown: 10m }') +
  runbook('limited', 'Limited', 'safety: { rateLimit: { count: 2, per: 1m } }') +
  runbook('one-at-a-time', 'Single', 'verify: { alertResolvedWithin: 5m }\nsafety: { maxConcurrent: 1 }') +
  runbook('quick-repair', 'NodeGone', 'safety: { maxUnhealthy: { per: cluster, max: 2 } }');

describeEachStore('remediation safety gates', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());

  async function start() {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
  }
  const fire = (labels: Record<string, string>, endsAt?: string) => server.request('POST', '/api/v2/alerts', [{ labels, ...(endsAt ? { endsAt } : {}) }]);
  const resolve = (labels: Record<string, string>) => fire(labels, new Date(clock.now() - 1000).toISOString());
  const drain = async () => {
    while ((await server.remediation.runOnce()) > 0) {
      // until no due work is left
    }
  };
  const byRunbook = async (runbook: string) => (await server.request('GET', `/api/v1/remediations?runbook=${runbook}&limit=1000`)).body.remediations as any[];

  it('acts on at most 10% of a cluster when 50 hosts fail at once, and escalates the storm exactly once', async () => {
    await start();
    await server.request('POST', '/api/v2/alerts', Array.from({ length: 50 }, (_, i) => ({ labels: { alertname: 'NodeDown', instance: `node-${i}`, cluster: 'eu-1' } })));
    await drain();
    const all = await byRunbook('node-repair');
    expect(all).toHaveLength(50);
    const acted = all.filter((r) => r.status === 'verifying');
    const skipped = all.filter((r) => r.status === 'skipped');
    expect(acted).toHaveLength(5);
    expect(skipped).toHaveLength(45);
    expect(skipped.every((r) => r.reason.startsWith('too many unhealthy in scope cluster=eu-1'))).toBe(true);
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].title).toBe('too many unhealthy in scope cluster=eu-1 (node-repair)');
    expect(incidents[0].story[0]).toContain('5 acted on in the last 30m, 50 failing, max 10% of 50 hosts = 5');

    // the plan preview shows the gate that would stop another one
    const alertId = skipped[0].alertId;
    const preview = (await server.request('GET', `/api/v1/alerts/${alertId}/plan`)).body;
    expect(preview.runbook).toBe('node-repair');
    expect(preview.gates).toEqual([expect.objectContaining({ gate: 'maxUnhealthy', verdict: 'skip' })]);

    // storm cooldown: a new failure in the scope is not acted on while it is recent
    clock.advance(60_000);
    await fire({ alertname: 'NodeDown', instance: 'node-x', cluster: 'eu-1' });
    await drain();
    const late = (await byRunbook('node-repair')).find((r) => r.target === 'node-x');
    expect(late.status).toBe('skipped');
  });

  it('escalates a flapping target instead of remediating it again', async () => {
    await start();
    const labels = { alertname: 'Flap', instance: 'web-9' };
    for (let i = 0; i < 3; i++) {
      await fire(labels);
      await drain();
      await resolve(labels);
      clock.advance(60_000);
    }
    const list = await byRunbook('flappy');
    expect(list.map((r) => r.status)).toEqual(['escalated', 'succeeded', 'succeeded']);
    expect(list[0].reason).toContain('flapping');
  });

  it('waits out a per-target cooldown', async () => {
    await start();
    const labels = { alertname: 'Cool', instance: 'c-1' };
    await fire(labels);
    await drain();
    await resolve(labels);
    clock.advance(60_000);
    await fire(labels);
    await drain();
    let [latest] = await byRunbook('cool');
    expect(latest.status).toBe('pending');
    expect(latest.reason).toMatch(/^deferred by cooldown: c-1 was last remediated 1m ago; cooldown 10m$/);
    clock.advance(9 * 60_000);
    await drain();
    [latest] = await byRunbook('cool');
    expect(latest.status).toBe('succeeded');
  });

  it('keeps to the rate limit and the concurrency limit of a runbook', async () => {
    await start();
    for (const i of [1, 2, 3]) await fire({ alertname: 'Limited', instance: `l-${i}` });
    await drain();
    let statuses = (await byRunbook('limited')).map((r) => r.status).sort();
    expect(statuses).toEqual(['pending', 'succeeded', 'succeeded']);
    clock.advance(61_000);
    await drain();
    statuses = (await byRunbook('limited')).map((r) => r.status);
    expect(statuses).toEqual(['succeeded', 'succeeded', 'succeeded']);

    for (const i of [1, 2]) await fire({ alertname: 'Single', instance: `s-${i}` });
    await drain();
    const single = await byRunbook('one-at-a-time');
    expect(single.map((r) => r.status).sort()).toEqual(['pending', 'verifying']);
    expect(single.find((r) => r.status === 'pending').reason).toContain('maxConcurrent');
  });

  it('keeps to a global rate limit across runbooks', async () => {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config, globalRateLimit: { count: 2, per: 60_000 } });
    await fire({ alertname: 'Flap', instance: 'g-1' });
    await fire({ alertname: 'Cool', instance: 'g-2' });
    await fire({ alertname: 'Limited', instance: 'g-3' });
    await drain();
    const all = (await server.request('GET', '/api/v1/remediations')).body.remediations as any[];
    expect(all.map((r) => r.status).sort()).toEqual(['pending', 'succeeded', 'succeeded']);
    expect(all.find((r) => r.status === 'pending').reason).toMatch(/^deferred by globalRateLimit: 2 remediations started in the last 1m across all runbooks/);
    clock.advance(61_000);
    await drain();
    expect(((await server.request('GET', '/api/v1/remediations')).body.remediations as any[]).every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('counts a target fixed a moment ago as acted on: quick fixes cannot run through a whole storm', async () => {
    await start();
    await server.request('POST', '/api/v2/alerts', Array.from({ length: 5 }, (_, i) => ({ labels: { alertname: 'NodeGone', instance: `q-${i}`, cluster: 'eu-2' } })));
    await drain();
    const statuses = (await byRunbook('quick-repair')).map((r) => r.status).sort();
    expect(statuses).toEqual(['skipped', 'skipped', 'skipped', 'succeeded', 'succeeded']);
  });
});
