import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';
import { storeKinds } from './support/testDatabases.js';

// Drift, on PostgreSQL: a frontend that declares its cart optional is
// told otherwise by a sweep of the real lab. (The SQLite twin is
// chaos.sweep.e2e.test.ts; two files so they run side by side.)
// The seed's question, answered by breaking things: which of the lab's
// dependencies are on the frontend's critical path? `prodeng chaos sweep`
// blackholes, slows and fails each edge under the frontend through the
// lab's real fault proxies while a shopper's journey (page, cart, order)
// is watched, against the real lab (18 processes) and the CLI as a user
// runs it.
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const hypothesis = join(import.meta.dirname, '..', 'examples', 'chaos', 'sweeps', 'shop-frontend.yaml');

const expected = {
  'frontend>ad': 'degradable',
  'frontend>cart': 'critical',
  'frontend>catalog': 'critical',
  'frontend>checkout': 'critical',
  'frontend>currency': 'critical',
  'frontend>recommendation': 'degradable',
  'checkout>cart': 'critical',
  'checkout>catalog': 'critical',
  'checkout>currency': 'critical',
  'checkout>payment': 'critical',
  'checkout>shipping': 'critical',
  // recommendation cannot work without catalog, but the page does not need recommendation
  'recommendation>catalog': 'degradable',
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

interface SweepOutput {
  id: number;
  status: string;
  findings: Array<{ caller: string; callee: string; verdict: string; declared: string | null; faults: Array<{ fault: string; outcome: string }> }>;
  durationMs: number;
}

async function sweep(): Promise<{ code: number | null; result: SweepOutput; output: string }> {
  const child = spawn(process.execPath, [cli, 'chaos', 'sweep', '--service', 'frontend', '--hypothesis', hypothesis, '--url', server!.url, '--json'], { env: process.env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  let result: SweepOutput;
  try {
    result = JSON.parse(out) as SweepOutput;
  } catch {
    throw new Error(`chaos sweep printed no JSON (exit ${code}): ${out}${err}`);
  }
  return { code, result, output: out + err };
}

const verdicts = (r: SweepOutput) => Object.fromEntries(r.findings.map((f) => [`${f.caller}>${f.callee}`, f.verdict]));

async function startLab(kind: 'sqlite' | 'postgres', configDir: string) {
  server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir });
  await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 40_000);
  // Every edge seen through discovery: each caller has asked for each of its dependencies, naming itself.
  await waitFor('the 12 edges under the frontend seen through discovery', async () => {
    const { edges } = (await server!.request('GET', '/api/v1/chaos/edges?under=frontend')).body as { edges: Array<{ observed: boolean }> };
    return edges.length === 12 && edges.every((e) => e.observed);
  }, 20_000);
  const [frontend] = (await server.request('GET', '/api/v1/services/frontend/endpoints')).body.endpoints;
  await waitFor('the shop page to render', async () => (await fetch(`http://${frontend.address}/`).catch(() => null))?.status === 200, 10_000);
}

it.skipIf(!storeKinds().includes('postgres'))('flags an edge declared optional that broke the page, and classifies the same twice in a row [postgres]', async () => {
  // The lab, with the frontend claiming it can live without its cart.
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-lab-drift-'));
  cpSync(labConfigDir(), dir, { recursive: true });
  const shop = join(dir, 'shop.yaml');
  writeFileSync(shop, readFileSync(shop, 'utf8').replace('{ service: cart, required: true, effect: "GET / and POST /cart answer 502" }', '{ service: cart, required: false, effect: "the cart count is left out" }'));
  await startLab('postgres', dir);
  const run = await sweep();
  expect(run.code, run.output).toBe(0);
  expect(verdicts(run.result)).toEqual(expected);
  // twice in a row on this store too (no shop traffic here, so no SLO burn to resolve in between)
  const again = await sweep();
  expect(again.code, again.output).toBe(0);
  expect(verdicts(again.result)).toEqual(verdicts(run.result));
  const graph = (await server!.request('GET', '/api/v1/chaos/graph')).body as { edges: Array<{ from: string; to: string; declared: string | null; drift: string | null }> };
  expect(graph.edges.filter((e) => e.drift !== null)).toEqual([expect.objectContaining({ from: 'frontend', to: 'cart', declared: 'optional', drift: 'declared optional, but it broke the caller' })]);
  const view = (await server!.request('GET', `/api/v1/chaos/sweeps/${run.result.id}`)).body;
  expect(view).toMatchObject({ status: 'completed', findings: expect.arrayContaining([expect.objectContaining({ caller: 'frontend', callee: 'cart', verdict: 'critical', declared: 'optional' })]) });
}, 600_000);
