import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// Issue 13, "dead hosts counted as capacity": a host failing its probe stayed
// in_service, so the pool read 2 / 2 with one host dead and never provisioned.
// No runbook here: nothing replaces the dead host, so only capacity can help.
const hostScript = `import http from 'node:http';
http.createServer((req, res) => res.end(JSON.stringify({ status: 'ok', pid: process.pid }))).listen(Number(process.argv[2]), '127.0.0.1');
`;

function config(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-capacity-'));
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
  capacity: 2
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
  interval: 300ms
  timeout: 250ms
  failureThreshold: 2
`;
}

describeEachStore('fleet: capacity counts healthy hosts', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('a host failing its probe is not capacity: a stand-in is provisioned and kept, and the pool and host lists say which one fails', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configYaml: config() });
    const pool = async () => (await server!.request('GET', '/api/v1/pools/web')).body;
    const hosts = async () => (await server!.request('GET', '/api/v1/hosts?pool=web')).body.hosts as Array<{ name: string; state: string; failing: boolean }>;
    await waitFor('two healthy hosts', async () => (await pool()).healthy === 2, 15_000);
    const [victim] = await hosts();
    const pid = Number.parseInt((await server.store.db.selectFrom('hosts').select('provider_ref').where('name', '=', victim!.name).executeTakeFirstOrThrow()).provider_ref!, 10);
    process.kill(pid, 'SIGKILL');

    await waitFor('the probe to call the victim failing', async () => (await pool()).failing.includes(victim!.name), 10_000);
    const p = await waitFor('a stand-in in service', async () => {
      const now = await pool();
      return now.healthy === 2 ? now : undefined;
    }, 15_000);
    expect(p).toMatchObject({ capacity: 2, inService: 3, healthy: 2, failing: [victim!.name] });
    const list = await hosts();
    expect(list.filter((h) => h.failing).map((h) => h.name)).toEqual([victim!.name]);
    // The healthy stand-in is not "above capacity": it stays, and the service keeps two endpoints that answer.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await hosts()).filter((h) => h.state === 'in_service')).toHaveLength(3);
    const endpoints = (await server.request('GET', '/api/v1/services/web/endpoints')).body.endpoints as Array<{ address: string }>;
    expect(endpoints).toHaveLength(2);
    for (const e of endpoints) expect((await fetch(`http://${e.address}/healthz`)).ok).toBe(true);
  }, 60_000);
});
