import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachStore, type TestDatabase } from './support/testDatabases.js';
import { serveBuilt } from './support/builtServer.js';
import { writeConfigDir } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// kill -9 the server in the middle of a server-side run: the run's fault
// (a real one, in a lab process the local-process provider started) must be
// gone within 30 s of the restart, and the run recorded as interrupted.
// The lab process outlives the killed server (nothing kills an orphan), so
// the restarted server must reach it, not only the hosts it knows.

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: ad }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: HostPool
metadata: { name: ad }
spec:
  service: ad
  capacity: 1
  readiness: { http: { path: /healthz }, within: 15s }
  provider:
    type: local-process
    argv: ["{{ node }}", "{{ shopService }}", "--service", "ad", "--port", "{{ port }}", "--data", "{{ dataDir }}", "--host-name", "{{ host }}"]
---
apiVersion: prodeng/v1
kind: Experiment
metadata: { name: ad-errors-for-long }
spec:
  title: ad answers errors for five minutes
  extensions: [{ name: prodeng, service: ad, maxBlastRadius: 1 }]   # the one ad host: all of it, on purpose
  method:
    - type: action
      name: ad-answers-errors
      provider: { type: prodeng, func: lab.break, arguments: { scenario: errors, service: ad, share: 1 } }
      pauses: { after: 300 }
  rollbacks:
    - type: action
      name: heal-ad
      provider: { type: prodeng, func: lab.heal, arguments: { service: ad } }
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
let db: TestDatabase | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await db?.cleanup();
  db = undefined;
});

const json = async (url: string) => (await fetch(url)).json() as Promise<any>;
const labFaultsAt = async (address: string) => ((await json(`http://${address}/_lab/faults`)) as { faults: unknown[] }).faults;

describeEachStore('a server killed mid-run', (kind) => {
  it('after kill -9 mid-run, the restarted server reverts what the run injected within 30 s and the run is interrupted', async () => {
    const configDir = writeConfigDir(config);
    const data = mkdtempSync(join(tmpdir(), 'prodeng-kill-'));
    dirs.push(configDir, data);
    db = await createTestDatabase(kind);
    const databaseUrl = db.options.databaseUrl;
    const first = await serveBuilt(['--config', configDir, '--data', data], databaseUrl);
    children.push(first.child);
    const [host] = await waitFor('the ad host in service', async () => {
      const hosts = (await json(`${first.url}/api/v1/hosts?state=in_service`)).hosts as Array<{ name: string; address: string }>;
      return hosts.length === 1 && hosts;
    }, 30_000);
    const started = await fetch(`${first.url}/api/v1/chaos/experiments/ad-errors-for-long/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: number };
    await waitFor('the fault in the ad process', async () => (await labFaultsAt(host!.address)).length > 0, 15_000);
    expect((await fetch(`http://${host!.address}/`)).status).toBe(500);

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    // The lab process is an orphan now, still breaking ad.
    expect((await labFaultsAt(host!.address)).length).toBeGreaterThan(0);

    const second = await serveBuilt(['--config', configDir, '--data', data], databaseUrl);
    children.push(second.child);
    const restartedAt = Date.now();
    const run = await waitFor('the run interrupted and its fault reverted', async () => {
      const r = await json(`${second.url}/api/v1/chaos/runs/${id}`);
      return r.status === 'interrupted' && r.faults.every((f: { revertedAt: string | null }) => f.revertedAt !== null) && r;
    }, 30_000);
    expect(Date.now() - restartedAt).toBeLessThan(30_000);
    expect(run.faults).toHaveLength(1);
    expect(run.faults[0].revertedBy).toBe('lease expired');
    // Nothing the run injected is left: the restarted server stopped the orphan (its pid and start time matched), fault and all.
    expect(await fetch(`http://${host!.address}/_lab/faults`).then(() => 'answered', () => 'gone')).toBe('gone');
    const hosts = (await json(`${second.url}/api/v1/hosts`)).hosts as Array<{ name: string; state: string }>;
    expect(hosts.find((h) => h.name === host!.name)?.state).toBe('decommissioned');
    expect((await json(`${second.url}/api/v1/chaos/faults`)).faults).toEqual([]);
  }, 120_000);
});
