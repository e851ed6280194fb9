import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import type { TestServer } from './support/testServer.js';
import { expectedLabVerdicts, startLabForSweep, sweepFrontend, verdictsOf } from './support/labSweep.js';
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
