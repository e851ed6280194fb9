import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// A Chaos Toolkit experiment run by `prodeng chaos run` against the lab: the
// seed's exercise (break the ad service; the page still renders), the
// dead man's switch when the runner is killed, and the refusal while the
// service has an open incident. One store: the leases and the guard are
// tested on both in src/chaos/faultLeases.test.ts.
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

const experiment = (pauseAfterBreak: number) => `title: The ad service fails; the shop page still renders
description: ad is not on the critical path, so the page answers 200 without the ad box
tags: [lab, game-day]
extensions:
  - { name: prodeng, service: ad, blastRadius: 0.5 }
configuration:
  frontend: { type: env, key: SHOP_FRONTEND }
steady-state-hypothesis:
  title: the shop page answers
  probes:
    - type: probe
      name: page-answers
      tolerance: 200
      provider: { type: http, url: "\${frontend}/", timeout: 3 }
method:
  - type: action
    name: ad-answers-errors
    provider: { type: prodeng, func: lab.break, arguments: { scenario: errors, service: ad, share: 1 } }
    pauses: { after: ${pauseAfterBreak} }
rollbacks:
  - type: action
    name: heal-ad
    provider: { type: prodeng, func: lab.heal, arguments: { service: ad } }
`;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function chaosRun(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, 'chaos', 'run', file, '--url', server!.url, '--journal-path', join(file, '..', 'journal.json')], { env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, output: () => out };
}

it('runs the experiment, keeps its journal, reverts its fault; reverts by itself when the runner is killed; refuses while ad has an incident', async () => {
  server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
  await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
  const [frontend] = (await server.request('GET', '/api/v1/services/frontend/endpoints')).body.endpoints;
  await waitFor('the shop page to render', async () => (await fetch(`http://${frontend.address}/`).catch(() => null))?.status === 200, 10_000);
  const env = { SHOP_FRONTEND: `http://${frontend.address}` };
  const labFaults = async () => {
    const ads = (await server!.request('GET', '/api/v1/services/ad/endpoints')).body.endpoints as Array<{ address: string }>;
    const lists = await Promise.all(ads.map(async (a) => ((await (await fetch(`http://${a.address}/_lab/faults`)).json()) as { faults: unknown[] }).faults));
    return lists.flat();
  };

  // 1. The seed's exercise: the steady state holds with ad failing, the fault is rolled back.
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-chaos-'));
  writeFileSync(join(dir, 'ad.yaml'), experiment(1));
  const ok = chaosRun(join(dir, 'ad.yaml'), env);
  expect(await ok.done, ok.output()).toBe(0);
  const journal = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'));
  expect(journal).toMatchObject({ status: 'completed', deviated: false, steady_states: { before: { steady_state_met: true }, after: { steady_state_met: true } } });
  expect(journal.run[0]).toMatchObject({ status: 'succeeded', activity: { name: 'ad-answers-errors' } });
  expect(journal.rollbacks[0]).toMatchObject({ status: 'succeeded' });
  const [run] = (await server.request('GET', '/api/v1/chaos/runs')).body.runs;
  expect(run).toMatchObject({ status: 'completed', deviated: false, service: 'ad', title: 'The ad service fails; the shop page still renders' });
  const detail = (await server.request('GET', `/api/v1/chaos/runs/${run.id}`)).body;
  expect(detail.journal.status).toBe('completed');
  expect(detail.faults).toHaveLength(1);
  expect(detail.faults[0].revertedAt).not.toBeNull();
  expect(await labFaults()).toEqual([]);

  // 2. kill -9 the runner while ad is broken: the server reverts the fault once its lease runs out.
  writeFileSync(join(dir, 'ad-slow.yaml'), experiment(120));
  const killed = chaosRun(join(dir, 'ad-slow.yaml'), env);
  await waitFor('the fault to be injected', async () => (await server!.request('GET', '/api/v1/chaos/faults')).body.faults.length === 1, 20_000, killed.output);
  expect((await labFaults()).length).toBeGreaterThan(0);
  const killedAt = Date.now();
  killed.child.kill('SIGKILL');
  await waitFor('the dead man’s switch to revert it', async () => (await server!.request('GET', '/api/v1/chaos/faults')).body.faults.length === 0, 30_000);
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  expect(await labFaults()).toEqual([]);
  const interrupted = (await server.request('GET', '/api/v1/chaos/runs')).body.runs[0];
  expect(interrupted.status).toBe('interrupted');

  // 3. An open incident on ad: the run is refused, and the refusal is on the record.
  expect((await server.request('POST', '/api/v1/incidents', { title: 'ads missing', service: 'ad' })).status).toBe(201);
  const refused = chaosRun(join(dir, 'ad.yaml'), env);
  expect(await refused.done).toBe(1);
  expect(refused.output()).toMatch(/refused: .*service ad has open incident \d+ \(ads missing\)/);
  expect((await server.request('GET', '/api/v1/chaos/runs')).body.runs[0]).toMatchObject({ status: 'refused', service: 'ad' });
}, 150_000);
