import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { systemClock } from '../../src/store/clock.js';
import { startTestServer, type TestServer } from './testServer.js';
import { waitFor } from './peers.js';

/** What a sweep of the lab's frontend finds: the lab's critical path, as the services declare it. */
export const expectedLabVerdicts = {
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

export interface SweepOutput {
  id: number;
  status: string;
  findings: Array<{ caller: string; callee: string; verdict: string; declared: string | null; faults: Array<{ fault: string; outcome: string }> }>;
  durationMs: number;
}

const cli = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const hypothesis = join(import.meta.dirname, '..', '..', 'examples', 'chaos', 'sweeps', 'shop-frontend.yaml');

/** `prodeng chaos sweep --service frontend` as a user runs it, with the lab's shopper hypothesis. */
export async function sweepFrontend(server: TestServer): Promise<{ code: number | null; result: SweepOutput; output: string }> {
  // Two samples per fault, both must agree (the bench runs three): the lab answers the same every time, and CI time is finite.
  const child = spawn(process.execPath, [cli, 'chaos', 'sweep', '--service', 'frontend', '--hypothesis', hypothesis, '--samples', '2', '--url', server.url, '--json'], { env: process.env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    return { code, result: JSON.parse(out) as SweepOutput, output: out + err };
  } catch {
    throw new Error(`chaos sweep printed no JSON (exit ${code}): ${out}${err}`);
  }
}

export const verdictsOf = (r: SweepOutput) => Object.fromEntries(r.findings.map((f) => [`${f.caller}>${f.callee}`, f.verdict]));

/** The real lab on a test server, every host in service and every edge under the frontend seen through discovery. */
export async function startLabForSweep(kind: 'sqlite' | 'postgres', configDir: string): Promise<TestServer> {
  const server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir });
  await waitFor('every shop host in service', async () => (await server.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 40_000);
  // Each caller has asked for each of its dependencies, naming itself.
  await waitFor('the 12 edges under the frontend seen through discovery', async () => {
    const { edges } = (await server.request('GET', '/api/v1/chaos/edges?under=frontend')).body as { edges: Array<{ observed: boolean }> };
    return edges.length === 12 && edges.every((e) => e.observed);
  }, 20_000);
  const [frontend] = (await server.request('GET', '/api/v1/services/frontend/endpoints')).body.endpoints;
  await waitFor('the shop page to render', async () => (await fetch(`http://${frontend.address}/`).catch(() => null))?.status === 200, 10_000);
  return server;
}
