import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import type { TestServer } from './support/testServer.js';
import { expectedLabVerdicts, startLabForSweep, sweepFrontend, verdictsOf } from './support/labSweep.js';

// The seed's question, answered by breaking things: which of the lab's
// dependencies are on the frontend's critical path? `prodeng chaos sweep`
// blackholes, slows and fails each edge under the frontend through the
// lab's real fault proxies while a shopper's journey (page, cart, order)
// is watched, against the real lab (18 processes) and the CLI as a user
// runs it.
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
const expected = expectedLabVerdicts;
const verdicts = verdictsOf;
const sweep = () => sweepFrontend(server!);
async function startLab(kind: 'sqlite' | 'postgres', configDir: string) {
  server = await startLabForSweep(kind, configDir);
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
