import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigError } from '../src/config/index.js';
import { turnUpOrder } from '../src/fleet/cluster/clusterOrder.js';
import { loadConfiguration } from '../src/loadConfiguration.js';
import { startServer, type RunningServer } from '../src/server.js';
import { systemClock } from '../src/store/clock.js';
import { createTestDatabase, describeEachStore, type TestDatabase } from './support/testDatabases.js';
import { waitFor } from './support/peers.js';
import { writeConfigDir } from './support/testServer.js';

// Issue 19, clusters from nothing: the order pools come up in, and the
// desired state that the reconciler obeys and that outlives a restart.

const hostScript = `import http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(Number(process.argv[2]), '127.0.0.1');
`;

/** web calls api, api calls db; all three in cluster blue, which starts empty. */
function config(opts: { cycle?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-cluster-'));
  writeFileSync(join(dir, 'host.mjs'), hostScript);
  const service = (name: string, deps: string[]) =>
    `apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  owner: t\n${deps.length ? `  dependsOn: [${deps.map((d) => `{ service: ${d}, required: true }`).join(', ')}]\n` : ''}`;
  const pool = (name: string) =>
    `apiVersion: prodeng/v1\nkind: HostPool\nmetadata: { name: ${name}-blue }\nspec:\n  service: ${name}\n  cluster: blue\n  capacity: 2\n  drainGrace: 50ms\n  readiness: { http: { path: /healthz }, within: 10s }\n  provider: { type: local-process, argv: ["${process.execPath}", "${join(dir, 'host.mjs')}", "{{ port }}"] }\n`;
  return [
    'apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: t }\n',
    service('web', ['api']),
    service('api', ['db']),
    service('db', opts.cycle ? ['web'] : []),
    pool('web'),
    pool('api'),
    pool('db'),
    'apiVersion: prodeng/v1\nkind: Cluster\nmetadata: { name: blue }\nspec: { initialState: down, drainWait: 200ms }\n',
  ].join('---\n');
}

describe('cluster turn-up order', () => {
  it('puts a service after the ones it depends on, ties by name, and ignores dependencies outside the cluster', () => {
    const deps: Record<string, string[]> = { frontend: ['cart', 'catalog', 'elsewhere'], cart: [], catalog: [], checkout: ['cart'] };
    const order = turnUpOrder(
      [
        { name: 'frontend-b', service: 'frontend' },
        { name: 'checkout-b', service: 'checkout' },
        { name: 'catalog-b', service: 'catalog' },
        { name: 'cart-b', service: 'cart' },
      ],
      (s) => deps[s] ?? [],
    );
    expect(order).toEqual({ ok: true, order: ['cart-b', 'catalog-b', 'checkout-b', 'frontend-b'] });
  });

  it('a cycle is a config error naming the services', async () => {
    const result = await loadConfiguration(writeConfigDir(config({ cycle: true })));
    expect(result.errors.map(formatConfigError).join('\n')).toMatch(/cluster blue has no turn-up order: .*cycle \(api → db → web → api\).*spec\.dependsOn/);
  });

  it('a Cluster no pool is in, and a pool whose cluster is a typo of one, are errors naming spec.cluster', async () => {
    const yaml = config().replace('name: api-blue }\nspec:\n  service: api\n  cluster: blue', 'name: api-blue }\nspec:\n  service: api\n  cluster: bleu') + '---\napiVersion: prodeng/v1\nkind: Cluster\nmetadata: { name: green }\n';
    const errors = (await loadConfiguration(writeConfigDir(yaml))).errors.map(formatConfigError).join('\n');
    expect(errors).toMatch(/HostPool api-blue has spec\.cluster "bleu", which is no Cluster \(did you mean "blue"\?\)/);
    expect(errors).toMatch(/no HostPool is in cluster green: set spec\.cluster: green/);
  });
});

describeEachStore('clusters: desired state, turn-up and turn-down', (kind) => {
  let db: TestDatabase | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    await db?.cleanup();
    server = db = undefined;
  });

  const start = async (configDir: string) => {
    db ??= await createTestDatabase(kind);
    return startServer({ ...db.options, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 100, logger: pino({ level: 'silent' }), clock: systemClock, configDir });
  };
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server!.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const finished = (name: string) => waitFor(`the operation on ${name} to end`, async () => {
    const c = (await request('GET', `/api/v1/clusters/${name}`)).body;
    return c.operation?.state !== 'running' ? c : undefined;
  }, 60_000);
  const live = async () => (await server!.store.db.selectFrom('hosts').select(['name', 'pool', 'state']).where('state', '!=', 'decommissioned').execute());

  it('starts empty, comes up in dependency order, survives a restart, and goes down in reverse only when forced', async () => {
    const dir = writeConfigDir(config());
    server = await start(dir);
    // initialState down: the reconciler provisions nothing
    await new Promise((r) => setTimeout(r, 600));
    expect(await live()).toEqual([]);
    const before = (await request('GET', '/api/v1/clusters')).body.clusters;
    expect(before).toMatchObject([{ name: 'blue', state: 'down', initialState: 'down', pools: [{ name: 'db-blue', state: 'down' }, { name: 'api-blue' }, { name: 'web-blue' }] }]);

    const up = await request('POST', '/api/v1/clusters/blue/up', { reason: 'test' });
    expect(up.status).toBe(202);
    expect(up.body.operation).toMatchObject({ kind: 'up', state: 'running' });
    const done = await finished('blue');
    expect(done).toMatchObject({ state: 'up', error: null, operation: { state: 'done' } });
    expect(done.pools.map((p: any) => [p.name, p.state, p.healthy])).toEqual([['db-blue', 'up', 2], ['api-blue', 'up', 2], ['web-blue', 'up', 2]]);
    // From the hosts' transitions: every host of a pool is in service before the next pool's first one is provisioned.
    const transitions = await server.store.db.selectFrom('host_transitions').innerJoin('hosts', 'hosts.name', 'host_transitions.host').select(['host_transitions.id', 'hosts.pool', 'host_transitions.to_state']).orderBy('host_transitions.id').execute();
    const first = (pool: string, to: string) => Math.min(...transitions.filter((t) => t.pool === pool && t.to_state === to).map((t) => Number(t.id)));
    const last = (pool: string, to: string) => Math.max(...transitions.filter((t) => t.pool === pool && t.to_state === to).map((t) => Number(t.id)));
    expect(last('db-blue', 'in_service')).toBeLessThan(first('api-blue', 'provisioning'));
    expect(last('api-blue', 'in_service')).toBeLessThan(first('web-blue', 'provisioning'));

    // The stored 'up' outlives the process (local hosts do not): a new start brings the pools back to capacity.
    await server.close();
    server = await start(dir);
    await waitFor('blue back at capacity after the restart', async () => (await live()).filter((h) => h.state === 'in_service').length === 6, 20_000);
    expect((await request('GET', '/api/v1/clusters/blue')).body).toMatchObject({ state: 'up', changedBy: 'local' });

    // Nothing else serves these services: down is refused, naming them and the way out.
    const refused = await request('POST', '/api/v1/clusters/blue/down', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/would leave api, db, web with no healthy hosts in any other cluster: move them first \(prodeng cluster migrate api --to CLUSTER\), or force it/);
    // (the restart retired the first run's hosts through draining too: only what comes after counts)
    const mark = Number((await server.store.db.selectFrom('host_transitions').select(({ fn }) => fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
    expect((await request('POST', '/api/v1/clusters/blue/down', { force: true })).status).toBe(202);
    const down = await finished('blue');
    expect(down).toMatchObject({ state: 'down', error: null, operation: { state: 'done' } });
    expect(down.pools.map((p: any) => p.state)).toEqual(['down', 'down', 'down']);
    expect(await live()).toEqual([]);
    const drained = await server.store.db.selectFrom('host_transitions').innerJoin('hosts', 'hosts.name', 'host_transitions.host').select(['host_transitions.id', 'hosts.pool']).where('host_transitions.to_state', '=', 'draining').where('host_transitions.id', '>', mark).orderBy('host_transitions.id').execute();
    expect([...new Set(drained.map((d) => d.pool))]).toEqual(['web-blue', 'api-blue', 'db-blue']);
    // and the reconciler keeps it empty
    await new Promise((r) => setTimeout(r, 600));
    expect(await live()).toEqual([]);
  }, 90_000);

  it('unknown clusters and services are 404s, a bad body a 400 naming the field', async () => {
    server = await start(writeConfigDir(config()));
    expect((await request('POST', '/api/v1/clusters/nope/up', {})).status).toBe(404);
    expect((await request('GET', '/api/v1/clusters/nope')).status).toBe(404);
    const bad = await request('POST', '/api/v1/clusters/blue/down', { force: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^force: must be true or false/);
    expect((await request('POST', '/api/v1/services/nothing/migrate', { to: 'blue' })).status).toBe(404);
    const noTo = await request('POST', '/api/v1/services/web/migrate', {});
    expect(noTo.status).toBe(400);
    expect(noTo.body.error.message).toMatch(/^to: /);
  }, 30_000);
});
