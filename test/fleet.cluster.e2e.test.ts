import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { discoveredEndpoints } from '../src/lab/shop/discovery.js';
import { startLoadGenerator, type LoadResult } from '../src/lab/shop/loadGenerator.js';
import { systemClock } from '../src/store/clock.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// Issue 19, clusters from nothing, in the lab: lab-b (examples/lab/clusters.yaml)
// starts empty; it is turned up in dependency order, the frontend moves to it
// and back while shop traffic finds its frontends through discovery, and it is
// turned down again, with no failed shop request. SQLite: the both-stores part
// is test/fleet.cluster.test.ts.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A request loop as the lab's load generator runs it, its frontends from discovery (polled every second, as the shop polls it). */
function shopTraffic(baseUrl: string) {
  const discovery = discoveredEndpoints({ baseUrl, service: 'frontend' });
  let frontends: string[] = [];
  const refresh = setInterval(() => void discovery.endpoints().then((list) => (frontends = list), () => undefined), 100);
  const failures: LoadResult[] = [];
  let sent = 0;
  let load: ReturnType<typeof startLoadGenerator> | undefined;
  return {
    async start() {
      await waitFor('discovery to list the frontends', async () => frontends.length > 0, 10_000);
      load = startLoadGenerator({ frontendUrls: () => frontends, ratePerSecond: 20, onResult: (r) => (sent++, r.ok || failures.push(r)) });
    },
    frontends: () => frontends,
    sent: () => sent,
    failures,
    async stop() {
      await load?.stop();
      clearInterval(refresh);
      discovery.close();
    },
  };
}

it('lab-b comes up from nothing in dependency order, the frontend moves to it and back, and it goes down, with no failed shop request', async () => {
  server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
  const s = server;
  const cluster = async (name: string) => (await s.request('GET', `/api/v1/clusters/${name}`)).body;
  const finished = async (name: string) =>
    waitFor(`the operation on ${name} to end`, async () => {
      const c = await cluster(name);
      return c.operation && c.operation.state !== 'running' ? c : undefined;
    }, 120_000);
  const deps = new Map([...s.config.services.values()].map((d) => [d.name, (d.spec.dependsOn ?? []).map((x) => x.service)]));

  await waitFor('the lab shop in service', async () => (await s.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
  const before = await cluster('lab-b');
  expect(before).toMatchObject({ state: 'down', initialState: 'down' });
  expect(before.pools).toHaveLength(9);
  expect(before.pools.every((p: any) => p.state === 'down' && p.inService === 0)).toBe(true);

  // Turn-up: dependencies first, each pool healthy before the next starts.
  const upStarted = Date.now();
  expect((await s.request('POST', '/api/v1/clusters/lab-b/up', { reason: 'test' })).status).toBe(202);
  const up = await finished('lab-b');
  const upMs = Date.now() - upStarted;
  expect(up.operation).toMatchObject({ state: 'done', error: null });
  expect(up.state).toBe('up');
  expect(up.pools.map((p: any) => [p.state, p.healthy])).toEqual(Array(9).fill(['up', 2]));
  const order: string[] = up.pools.map((p: any) => p.service);
  for (const [i, service] of order.entries()) for (const d of deps.get(service)!) expect(order.indexOf(d), `${d} before ${service}`).toBeLessThan(i);
  const transitions = await s.store.db.selectFrom('host_transitions').innerJoin('hosts', 'hosts.name', 'host_transitions.host').select(['host_transitions.id', 'hosts.pool', 'host_transitions.to_state']).where('hosts.pool', 'like', '%-b').orderBy('host_transitions.id').execute();
  const ids = (pool: string, to: string) => transitions.filter((t) => t.pool === pool && t.to_state === to).map((t) => Number(t.id));
  const pools: string[] = up.pools.map((p: any) => p.name);
  for (let i = 1; i < pools.length; i++) expect(Math.max(...ids(pools[i - 1]!, 'in_service'))).toBeLessThan(Math.min(...ids(pools[i]!, 'provisioning')));

  // The frontend moves to lab-b while shop traffic runs, and back again: not one failed request.
  const traffic = shopTraffic(s.url);
  await traffic.start();
  await waitFor('traffic on the frontends', async () => traffic.sent() > 20, 10_000);
  const moveStarted = Date.now();
  expect((await s.request('POST', '/api/v1/services/frontend/migrate', { to: 'lab-b' })).status).toBe(202);
  const moved = await finished('lab-b');
  const moveMs = Date.now() - moveStarted;
  expect(moved.operation).toMatchObject({ kind: 'migrate', state: 'done' });
  expect((await cluster('lab')).pools.find((p: any) => p.name === 'frontend')).toMatchObject({ state: 'down', inService: 0 });
  const endpoints = (await s.request('GET', '/api/v1/services/frontend/endpoints')).body.endpoints.map((e: any) => e.host);
  expect(endpoints.sort()).toEqual(['frontend-b-1', 'frontend-b-2']);
  await new Promise((r) => setTimeout(r, 2000));
  const sentAfterMove = traffic.sent();

  // lab-b is now the only place the frontend runs: down is refused until it moves back.
  const refused = await s.request('POST', '/api/v1/clusters/lab-b/down', {});
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toMatch(/would leave frontend with no healthy hosts in any other cluster/);
  expect((await s.request('POST', '/api/v1/services/frontend/migrate', { to: 'lab' })).status).toBe(202);
  expect((await finished('lab')).operation).toMatchObject({ kind: 'migrate', state: 'done' });
  await new Promise((r) => setTimeout(r, 1500));
  await traffic.stop();
  expect(traffic.failures.slice(0, 5)).toEqual([]);
  expect(traffic.sent()).toBeGreaterThan(sentAfterMove);

  // Down in reverse order, the shop serving on from cluster lab. Carts live on the cart hosts' disks, so a
  // checkout whose cart was on a cart-b host finds it empty (400): the only failure a stateful pool leaving allows.
  const during = shopTraffic(s.url);
  await during.start();
  await new Promise((r) => setTimeout(r, 1000));
  expect((await s.request('POST', '/api/v1/clusters/lab-b/down', {})).status).toBe(202);
  const down = await finished('lab-b');
  expect(down.operation).toMatchObject({ kind: 'down', state: 'done' });
  expect(down.pools.every((p: any) => p.state === 'down' && p.inService === 0 && p.provisioning === 0 && p.out === 0)).toBe(true);
  const drained = await s.store.db.selectFrom('host_transitions').innerJoin('hosts', 'hosts.name', 'host_transitions.host').select(['hosts.pool']).where('hosts.pool', 'like', '%-b').where('host_transitions.to_state', '=', 'draining').orderBy('host_transitions.id').execute();
  expect([...new Set(drained.map((d) => d.pool))].filter((p) => p !== 'frontend-b')).toEqual(pools.filter((p) => p !== 'frontend-b').reverse());
  await new Promise((r) => setTimeout(r, 1500));
  await during.stop();
  const emptyCart = (r: LoadResult) => r.kind === 'checkout' && r.status === 400 && /cart: empty/.test(r.error ?? '');
  expect(during.failures.filter((r) => !emptyCart(r)).slice(0, 5)).toEqual([]);
  console.log(`cluster e2e: turn-up ${upMs} ms, migration ${moveMs} ms; ${traffic.sent()} requests across both moves, ${traffic.failures.length} failed; ${during.sent()} during the turn-down, ${during.failures.length} failed (empty carts)`);
}, 300_000);
