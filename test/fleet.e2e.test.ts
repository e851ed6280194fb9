import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// A host's program: answers /healthz on the port the provider gives it.
const hostScript = `import http from 'node:http';
http.createServer((req, res) => res.end(JSON.stringify({ status: 'ok', pid: process.pid }))).listen(Number(process.argv[2]), '127.0.0.1');
`;

function fleetConfig(opts: { capacity: number; maxUnhealthy?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-fleet-'));
  writeFileSync(join(dir, 'host.mjs'), hostScript);
  return `apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: web }
spec: { owner: web }
---
apiVersion: prodeng/v1
kind: HostPool
metadata: { name: web }
spec:
  service: web
  cluster: local
  capacity: ${opts.capacity}
  maxSurge: 1
  drainGrace: 100ms
  readiness: { http: { path: /healthz }, within: 10s }
  provider: { type: local-process, argv: ["${process.execPath}", "${join(dir, 'host.mjs')}", "{{ port }}"] }
---
apiVersion: prodeng/v1
kind: Probe
metadata: { name: web-health }
spec:
  hosts: { pool: web }
  http: { path: /healthz }
  interval: 500ms
  timeout: 400ms
  failureThreshold: 2
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: replace-failed-host }
spec:
  match: { alertname: ProbeFailed, pool: web }
  target: "{{ labels.host }}"
  manualMinutes: 30
  steps: [{ name: replace, action: host.replace, with: { host: "{{ labels.host }}" }, timeout: 30s }]
  verify: { alertResolvedWithin: 30s }
  safety: { maxUnhealthy: { per: pool, max: "${opts.maxUnhealthy ?? '50%'}" } }
`;
}

/** Watches how many endpoints discovery lists, every 20 ms, and gives the lowest count seen. */
function watchLowest(endpoints: () => Promise<unknown[]>) {
  let lowest = Infinity;
  let watching = true;
  const loop = (async () => {
    while (watching) {
      lowest = Math.min(lowest, (await endpoints()).length);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      watching = false;
      await loop;
      return lowest;
    },
  };
}

describeEachStore('fleet: a pool keeps its capacity and replaces failed hosts', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const endpoints = async () => (await server!.request('GET', '/api/v1/services/web/endpoints')).body.endpoints as Array<{ host: string; address: string }>;
  const hosts = async (state?: string) => (await server!.request('GET', `/api/v1/hosts?pool=web${state ? `&state=${state}` : ''}`)).body.hosts as any[];

  it('provisions the pool, and a killed host is probed, replaced and the pool is whole again, with nobody paged', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: fleetConfig({ capacity: 2 }) });
    await waitFor('two hosts in service', async () => (await endpoints()).length === 2, 15_000);
    const [victim] = await hosts('in_service');
    await waitFor('the victim to pass a probe', async () => (await server!.request('GET', `/api/v1/probes/availability?host=${victim.name}`)).body.targets[0]?.passed > 0, 10_000);
    const pid = Number.parseInt((await server.store.db.selectFrom('hosts').select('provider_ref').where('name', '=', victim.name).executeTakeFirstOrThrow()).provider_ref!, 10);
    process.kill(pid, 'SIGKILL');

    const fixed = await waitFor(
      'the remediation to succeed',
      async () => {
        const r = (await server!.request('GET', '/api/v1/remediations')).body.remediations.find((x: any) => x.target === victim.name);
        return r && ['succeeded', 'failed', 'escalated', 'skipped'].includes(r.status) ? r : undefined;
      },
      30_000,
    );
    expect(fixed).toMatchObject({ status: 'succeeded', runbook: 'replace-failed-host', target: victim.name });
    await waitFor('the pool to be back at capacity with healthy endpoints only', async () => {
      const list = await endpoints();
      const answering = await Promise.all(list.map(async (e) => (await fetch(`http://${e.address}/healthz`).catch(() => null))?.ok === true));
      return list.length === 2 && answering.every(Boolean) && (await hosts('provisioning')).length === 0;
    }, 20_000);
    const story = (await server.request('GET', `/api/v1/hosts/${victim.name}`)).body.transitions.map((t: any) => `${t.from}->${t.to}`);
    expect(story.slice(0, 4)).toEqual(['null->provisioning', 'provisioning->in_service', 'in_service->draining', 'draining->out_of_service']);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toEqual([]);
    const alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts.find((a: any) => a.labels.host === victim.name)).toMatchObject({ source: 'probe', status: 'resolved' });
    // The probe's results are kept as a time series: the victim's failures are in its availability.
    const availability = (await server.request('GET', `/api/v1/probes/availability?host=${victim.name}`)).body.targets[0];
    expect(availability).toMatchObject({ probe: 'web-health', host: victim.name, service: 'web' });
    expect(availability.checks).toBeGreaterThan(availability.passed);
    expect(availability.passed).toBeGreaterThan(0);
  }, 60_000);

  it('refuses an illegal transition with a 409 that names the legal ones', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: fleetConfig({ capacity: 1 }) });
    await waitFor('one host in service', async () => (await endpoints()).length === 1, 15_000);
    const [h] = await hosts('in_service');
    const res = await server.request('POST', `/api/v1/hosts/${h.name}/repair`, { by: 'alice', reason: 'try' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`host ${h.name} is in_service, not out_of_service`);
    const missing = await server.request('POST', `/api/v1/hosts/nope/drain`, { by: 'alice', reason: 'x' });
    expect(missing.status).toBe(404);
    const noReason = await server.request('POST', `/api/v1/hosts/${h.name}/drain`, { by: 'alice' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/^reason: /);
  }, 30_000);

  it('drains for maintenance with a stand-in first, so capacity never drops, and undrain returns the host', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: fleetConfig({ capacity: 2 }) });
    await waitFor('two hosts in service', async () => (await endpoints()).length === 2, 15_000);
    const [h] = await hosts('in_service');
    const watch = watchLowest(endpoints);
    const drained = await server.request('POST', `/api/v1/hosts/${h.name}/drain`, { by: 'alice', reason: 'kernel upgrade' });
    expect(drained.status).toBe(200);
    expect(drained.body.state).toBe('out_of_service');
    expect((await endpoints()).map((e) => e.host)).not.toContain(h.name);
    const back = await server.request('POST', `/api/v1/hosts/${h.name}/undrain`, { by: 'alice', reason: 'upgrade done' });
    expect(back.status).toBe(200);
    expect(back.body.state).toBe('in_service');
    await waitFor('the surplus stand-in to be retired', async () => (await endpoints()).length === 2 && (await hosts('in_service')).length === 2, 15_000);
    expect(await watch.stop()).toBeGreaterThanOrEqual(2);
    expect((await endpoints()).map((e) => e.host)).toContain(h.name);
  }, 45_000);

  it('when half a pool crashes at once, maxUnhealthy holds: one host is replaced, the rest wait, and a human is called once', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: fleetConfig({ capacity: 4, maxUnhealthy: '25%' }) });
    await waitFor('four hosts in service', async () => (await endpoints()).length === 4, 20_000);
    const victims = (await hosts('in_service')).slice(0, 2);
    for (const v of victims) {
      const ref = (await server.store.db.selectFrom('hosts').select('provider_ref').where('name', '=', v.name).executeTakeFirstOrThrow()).provider_ref;
      process.kill(Number.parseInt(ref!, 10), 'SIGKILL');
    }
    const decided = await waitFor(
      'both remediations to be decided',
      async () => {
        const list = (await server!.request('GET', '/api/v1/remediations')).body.remediations as any[];
        const mine = victims.map((v) => list.find((r) => r.target === v.name));
        return mine.every((r) => r && ['succeeded', 'skipped', 'escalated', 'failed'].includes(r.status)) ? mine : undefined;
      },
      30_000,
    );
    expect(decided.map((r: any) => r.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(decided.find((r: any) => r.status === 'skipped').reason).toMatch(/^too many unhealthy in scope pool=web/);
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].title).toMatch(/pool=web/);
  }, 60_000);

  it('a maintenance window drains the pool a batch at a time, at capacity throughout, and returns every host', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: fleetConfig({ capacity: 2 }) });
    await waitFor('two hosts in service', async () => (await endpoints()).length === 2, 15_000);
    const originals = (await hosts('in_service')).map((h) => h.name).sort();
    const tooBig = await server.request('POST', '/api/v1/pools/web/maintenance', { by: 'alice', reason: 'kernel upgrade', batchSize: 2 });
    expect(tooBig.status).toBe(409);
    const watch = watchLowest(endpoints);
    const started = await server.request('POST', '/api/v1/pools/web/maintenance', { by: 'alice', reason: 'kernel upgrade', hold: '300ms' });
    expect(started.status).toBe(202);
    const window = await waitFor('the window to end', async () => {
      const m = (await server!.request('GET', '/api/v1/pools/web')).body.maintenance;
      return m.state === 'running' ? undefined : m;
    }, 30_000);
    const lowest = await watch.stop();
    expect(window.error).toBeNull();
    expect(window).toMatchObject({ state: 'done', batches: originals.map((h) => [h]) });
    expect(lowest).toBeGreaterThanOrEqual(2);
    expect((await hosts('in_service')).map((h) => h.name).sort()).toEqual(originals);
    for (const h of originals) {
      const moves = (await server.request('GET', `/api/v1/hosts/${h}`)).body.transitions.map((t: any) => t.to);
      expect(moves.slice(-3)).toEqual(['draining', 'out_of_service', 'in_service']);
    }
  }, 60_000);
});
