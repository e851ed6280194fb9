import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13, "silent failures": fix it, or hand it to a human; never neither.

const dir = mkdtempSync(join(tmpdir(), 'prodeng-failures-'));

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
  service: cart
  target: "{{ labels.instance }}"
  manualMinutes: 20
  steps: [{ name: restart, action: exec, idempotent: false, with: { argv: ["touch", "{{ annotations.marker }}"] } }]
  safety: { maxConcurrent: 1 }
`;

describeEachStore('remediation failures reach a human', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());

  const start = async () => {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
  };
  const fire = (instance: string, marker: string, endsAt?: string) =>
    server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CartDown', instance, service: 'cart' }, annotations: { marker }, ...(endsAt ? { endsAt } : {}) }]);
  const remediation = async (id: number) => (await server.request('GET', `/api/v1/remediations/${id}`)).body;
  const only = async () => (await server.request('GET', '/api/v1/remediations')).body.remediations[0];

  it('escalates a non-idempotent step interrupted mid-way even when its alert resolved meanwhile, and counts no minutes saved', async () => {
    await start();
    const marker = join(dir, `${kind}-interrupted`);
    await fire('cart-1', marker);
    const r = await only();
    // What a process killed during the step leaves: running, the step marked started, the lease run out.
    await server.store.db.updateTable('remediations').set({ status: 'running', step_in_progress: 1, started_at: clock.now() }).where('id', '=', r.id).execute();
    await server.store.db.updateTable('work').set({ status: 'leased', lease_owner: 'dead-process', lease_expires_at: clock.now() - 1 }).where('subject', '=', String(r.id)).execute();
    await fire('cart-1', marker, new Date(clock.now() - 1000).toISOString());
    await server.remediation.runOnce();
    const d = await remediation(r.id);
    expect(d.status).toBe('escalated');
    expect(d.reason).toContain('interrupted during step restart');
    expect(existsSync(marker)).toBe(false);
    const teams = (await server.request('GET', '/api/v1/reports/teams?since=1d')).body;
    expect(JSON.stringify(teams)).not.toMatch(/"minutesSaved":\s*20/);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toHaveLength(1);
  });

  it('hands a remediation to a human when any phase throws, instead of leaving it running and its slot taken', async () => {
    await start();
    await fire('cart-1', join(dir, `${kind}-wedged-1`));
    const r = await only();
    // Something no phase expects: its stored plan is unreadable.
    await server.store.db.updateTable('remediations').set({ plan: '{not json' }).where('id', '=', r.id).execute();
    await server.remediation.runOnce();
    const d = await remediation(r.id);
    expect(d.status).toBe('escalated');
    expect(d.reason).toMatch(/^prodeng failed while running it: /);
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    // maxConcurrent 1: the next alert is not held behind it.
    const marker2 = join(dir, `${kind}-wedged-2`);
    await fire('cart-2', marker2);
    await server.remediation.runOnce();
    expect(existsSync(marker2)).toBe(true);
  });

  it('opens an incident for a page-severity alert a runbook would handle while automation is paused', async () => {
    await start();
    const page = (instance: string) => server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CartDown', instance, service: 'cart', severity: 'page' }, annotations: { summary: `${instance} answers 503`, marker: join(dir, `${kind}-${instance}-paged`) } }]);
    // Running: the runbook has it, and nobody is paged yet.
    await page('cart-1');
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toHaveLength(0);
    await server.request('POST', '/api/v1/automation/pause', { by: 'alice', reason: 'database migration' });
    await page('cart-2');
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ service: 'cart', status: 'open', title: 'cart-2 answers 503' });
  });

  it('finds a remediation with no work item and no lease, and gives it back to the workers', async () => {
    await start();
    const marker = join(dir, `${kind}-orphan`);
    await fire('cart-1', marker);
    const r = await only();
    await server.store.db.deleteFrom('work').where('subject', '=', String(r.id)).execute();
    await server.remediation.runOnce();
    expect((await remediation(r.id)).status).toBe('pending');
    clock.advance(3 * 60_000);
    await server.maintenance.runOnce();
    await server.remediation.runOnce();
    const d = await remediation(r.id);
    expect(d.status).toBe('succeeded');
    expect(d.timeline.map((t: any) => t.message).join('\n')).toContain('the watchdog found it pending with no work item');
    expect(existsSync(marker)).toBe(true);
  });
});
