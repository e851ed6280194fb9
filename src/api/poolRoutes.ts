import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { FleetError } from '../fleet/hostErrors.js';
import { listHosts } from '../fleet/hosts.js';
import { failingHostNames } from '../fleet/hostHealth.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';

const maintenanceBody = z
  .object({
    by: z.string().min(1).optional(),
    reason: z.string().min(1, 'say why'),
    batchSize: z.number().int().positive().optional(),
    hold: durationSchema.default(30_000),
  })
  .strict();

/** Pools: their capacity and hosts, and maintenance windows that drain them in batches. */
export function poolRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const windows = new Map<string, { startedAt: string; by: string; reason: string; state: 'running' | 'done' | 'failed'; batches: string[][] | null; error: string | null }>();

  const poolView = async (name: string) => {
    const pool = deps.fleet.pool(name);
    const hosts = await listHosts(deps.store.db, { pool: name });
    const count = (state: string) => hosts.filter((h) => h.state === state).length;
    const failing = await failingHostNames(deps.store.db, hosts.filter((h) => h.state === 'in_service').map((h) => h.name));
    return {
      name,
      service: pool.spec.service,
      cluster: pool.spec.cluster ?? null,
      capacity: pool.spec.capacity,
      maxSurge: pool.spec.maxSurge,
      provider: pool.spec.provider.type,
      inService: count('in_service'),
      /** in service and passing their probes: what capacity counts */
      healthy: count('in_service') - failing.size,
      failing: [...failing].sort(),
      provisioning: count('provisioning'),
      outOfService: count('out_of_service') + count('draining') + count('repairing'),
      maintenance: windows.get(name) ?? null,
    };
  };

  app.get('/api/v1/pools', async () => ({ pools: await Promise.all([...deps.fleet.pools.keys()].map(poolView)) }));

  app.get<{ Params: { name: string } }>('/api/v1/pools/:name', async (request, reply) => {
    if (!deps.fleet.pools.has(request.params.name)) return sendProblem(reply, 404, 'pool_not_found', `no HostPool named ${request.params.name}`);
    return poolView(request.params.name);
  });

  // Runs in the background: the answer says it started; GET the pool to follow it.
  app.post<{ Params: { name: string } }>('/api/v1/pools/:name/maintenance', async (request, reply) => {
    const parsed = maintenanceBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const name = request.params.name;
    const pool = deps.fleet.pools.get(name);
    if (!pool) return sendProblem(reply, 404, 'pool_not_found', `no HostPool named ${name}`);
    if (windows.get(name)?.state === 'running') return sendProblem(reply, 409, 'maintenance_running', `pool ${name} is already in a maintenance window`);
    const batchSize = parsed.data.batchSize ?? Math.max(1, pool.spec.maxSurge);
    try {
      deps.fleet.checkMaintenanceBatch(name, batchSize);
    } catch (err) {
      if (err instanceof FleetError) return sendProblem(reply, 409, err.code, err.message);
      throw err;
    }
    const window = { startedAt: new Date(deps.clock.now()).toISOString(), by: actorOf(request, parsed.data.by), reason: parsed.data.reason, state: 'running' as 'running' | 'done' | 'failed', batches: null as string[][] | null, error: null as string | null };
    windows.set(name, window);
    deps.fleet.maintain(name, { actor: window.by, reason: parsed.data.reason, batchSize, holdMs: parsed.data.hold }).then(
      (batches) => Object.assign(window, { state: 'done', batches }),
      (err: Error) => Object.assign(window, { state: 'failed', error: err instanceof FleetError ? err.message : String(err) }),
    );
    return reply.code(202).send(await poolView(name));
  });
}
