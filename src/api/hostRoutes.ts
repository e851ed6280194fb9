import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { FleetError } from '../fleet/hostErrors.js';
import { HOST_STATES } from '../fleet/hostStates.js';
import { hostTransitions, hostView, insertHost, listHosts, mustGetHost } from '../fleet/hosts.js';
import { failingHostNames } from '../fleet/hostHealth.js';
import { NAME_PATTERN } from '../config/envelope.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';

const listQuery = z.object({ service: z.string().optional(), state: z.enum(HOST_STATES as [string, ...string[]]).optional(), pool: z.string().optional() }).strict();
const operationBody = z.object({ by: z.string().min(1, 'say who asks, e.g. "alice"').optional(), reason: z.string().min(1, 'say why') }).strict();
const newHostBody = z
  .object({
    name: z.string().regex(NAME_PATTERN, 'lowercase letters, digits, ".", "_" or "-"'),
    address: z.string().regex(/^.+:\d+$|^[^:]+$/, 'host or host:port'),
    service: z.string().optional(),
    cluster: z.string().optional(),
    labels: z.record(z.string(), z.string()).default({}),
    by: z.string().min(1).optional(),
  })
  .strict();

const STATUS: Record<FleetError['code'], number> = { host_not_found: 404, pool_not_found: 404, illegal_transition: 409, host_exists: 409, provider_failed: 502, capacity: 409 };

function sendFleetError(reply: FastifyReply, err: unknown) {
  if (err instanceof FleetError) return sendProblem(reply, STATUS[err.code], err.code, err.message);
  throw err;
}

/** Hosts, their lifecycle, and discovery of the healthy ones. */
export function hostRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const db = deps.store.db;

  app.get('/api/v1/hosts', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const rows = await listHosts(db, parsed.data as { service?: string; state?: (typeof HOST_STATES)[number]; pool?: string });
    const failing = await failingHostNames(db, rows.filter((r) => r.state === 'in_service').map((r) => r.name));
    // failing: in service but failing a probe now, so not counted as capacity
    return { hosts: rows.map((r) => ({ ...hostView(r), failing: failing.has(r.name) })) };
  });

  app.post('/api/v1/hosts', async (request, reply) => {
    const parsed = newHostBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const h = parsed.data;
    const by = actorOf(request, h.by);
    try {
      await insertHost(db, { name: h.name, address: h.address, service: h.service ?? null, cluster: h.cluster ?? null, labels: h.labels, provider: 'static', state: 'in_service', reason: `registered by ${by}`, origin: 'api' }, by, deps.clock.now());
    } catch (err) {
      return sendFleetError(reply, err);
    }
    return reply.code(201).send(hostView(await mustGetHost(db, h.name)));
  });

  app.get<{ Params: { name: string } }>('/api/v1/hosts/:name', async (request, reply) => {
    try {
      const row = await mustGetHost(db, request.params.name);
      return { ...hostView(row), transitions: await hostTransitions(db, row.name) };
    } catch (err) {
      return sendFleetError(reply, err);
    }
  });

  // Each operation answers when it is done: a drain waits for the stand-in
  // to serve and for the grace; a replace for the replacement to serve.
  const operations = {
    drain: (name: string, o: { actor: string; reason: string }) => deps.fleet.drain(name, o),
    undrain: (name: string, o: { actor: string; reason: string }) => deps.fleet.undrain(name, o),
    repair: (name: string, o: { actor: string; reason: string }) => deps.fleet.repair(name, o),
    replace: async (name: string, o: { actor: string; reason: string }) => (await deps.fleet.replace(name, o)).old,
    decommission: (name: string, o: { actor: string; reason: string }) => deps.fleet.decommission(name, o),
  };
  for (const [operation, run] of Object.entries(operations)) {
    app.post<{ Params: { name: string } }>(`/api/v1/hosts/:name/${operation}`, async (request, reply) => {
      const parsed = operationBody.safeParse(request.body ?? {});
      if (!parsed.success) return sendInvalid(reply, parsed.error);
      try {
        await run(request.params.name, { actor: actorOf(request, parsed.data.by), reason: parsed.data.reason });
        const row = await mustGetHost(db, request.params.name);
        return { ...hostView(row), transitions: await hostTransitions(db, row.name) };
      } catch (err) {
        return sendFleetError(reply, err);
      }
    });
  }

  // What a load balancer or client should use: in service, address known,
  // and no probe currently failing it.
  // `from` names the caller: a service that takes a fault proxy is then reached through this edge's.
  app.get<{ Params: { name: string }; Querystring: { from?: unknown } }>('/api/v1/services/:name/endpoints', async (request, reply) => {
    const from = request.query.from;
    if (from !== undefined && (typeof from !== 'string' || !NAME_PATTERN.test(from))) {
      return sendProblem(reply, 400, 'invalid_request', `from: must name the calling service (${NAME_PATTERN})`);
    }
    const rows = await db
      .selectFrom('hosts')
      .select(['name', 'address'])
      .where('service', '=', request.params.name)
      .where('state', '=', 'in_service')
      .where('address', 'is not', null)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('probe_targets').select('probe').whereRef('probe_targets.host', '=', 'hosts.name').where('probe_targets.firing', '=', 1))))
      .orderBy('name')
      .execute();
    const endpoints = rows.map((r) => ({ host: r.name, address: r.address! }));
    if (from === undefined || !deps.edgeProxies.takesProxy(request.params.name)) return { endpoints };
    return { endpoints: await deps.edgeProxies.route(from, request.params.name, endpoints, deps.clock.now()) };
  });
}
