import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

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

it('finds catalog, currency and cart critical, recommendation and ad degradable, the same twice in a row, and marks the critical path [sqlite]', async () => {
  await startLab('sqlite', labConfigDir());
  const first = await sweep();
  expect(first.code, first.output).toBe(0);
  expect(first.result.status).toBe('completed');
  expect(verdicts(first.result)).toEqual(expected);
  // Each fault was tried, each reverted: nothing is left on any proxy.
  expect(first.result.findings.every((f) => f.faults.map((x) => x.fault).join() === 'blackhole,latency,errors')).toBe(true);
  expect((await server!.request('GET', '/api/v1/chaos/faults')).body.faults).toEqual([]);
  expect((await server!.request('GET', '/api/v1/chaos/toxiproxy/proxies')).body).toSatisfy((proxies: Record<string, { toxics: unknown[] }>) => Object.values(proxies).every((p) => p.toxics.length === 0));

  const second = await sweep();
  expect(second.code, second.output).toBe(0);
  expect(verdicts(second.result)).toEqual(verdicts(first.result));

  // The graph the console draws: the critical path from the frontend, the optional boxes off it, no drift.
  const graph = (await server!.request('GET', '/api/v1/chaos/graph')).body as { edges: Array<{ from: string; to: string; onCriticalPath: boolean; drift: string | null; verdict: { runId: number } | null }>; services: Array<{ name: string; root: boolean; onCriticalPath: boolean }> };
  const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to)!;
  expect(edge('frontend', 'cart')).toMatchObject({ onCriticalPath: true, drift: null, verdict: { runId: second.result.id } });
  expect(edge('checkout', 'payment').onCriticalPath).toBe(true);
  expect(edge('frontend', 'ad').onCriticalPath).toBe(false);
  expect(edge('recommendation', 'catalog').onCriticalPath).toBe(false);
  expect(graph.edges.filter((e) => e.drift !== null)).toEqual([]);
  expect(graph.services.filter((s) => s.onCriticalPath).map((s) => s.name).sort()).toEqual(['cart', 'catalog', 'checkout', 'currency', 'frontend', 'payment', 'shipping']);
  expect(graph.services.find((s) => s.name === 'frontend')).toMatchObject({ root: true });
  // The sweeps are runs like any experiment, in the audit of runs.
  const runs = (await server!.request('GET', '/api/v1/chaos/runs')).body.runs as Array<{ id: number; title: string; status: string }>;
  expect(runs.filter((r) => r.title === 'sweep of frontend').map((r) => r.status)).toEqual(['completed', 'completed']);
}, 600_000);
