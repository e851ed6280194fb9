import type { FastifyInstance } from 'fastify';
import { pingHeartbeat, UnknownHeartbeatError } from '../probes/heartbeats.js';
import type { ApiDeps } from './deps.js';
import { sendProblem } from './problems.js';

export function heartbeatRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // GET as well as POST: cron jobs often ping with a bare `curl URL`.
  app.route<{ Params: { name: string } }>({
    method: ['POST', 'GET'],
    url: '/api/v1/heartbeats/:name/ping',
    config: { access: 'intake' },
    handler: async (request, reply) => {
      try {
        await pingHeartbeat(deps.store, deps.heartbeats, request.params.name, deps.clock.now());
      } catch (err) {
        if (err instanceof UnknownHeartbeatError) return sendProblem(reply, 404, err.code, err.message);
        throw err;
      }
      return reply.code(200).send({ status: 'success', heartbeat: request.params.name });
    },
  });

  app.get('/api/v1/heartbeats', async () => {
    const rows = await deps.store.db.selectFrom('heartbeats').selectAll().orderBy('name').execute();
    const now = deps.clock.now();
    const heartbeats = rows
      .filter((r) => deps.heartbeats.has(r.name))
      .map((r) => {
        const last = r.last_ping_at ?? r.registered_at;
        return {
          name: r.name,
          intervalSeconds: r.interval_ms / 1000,
          graceSeconds: r.grace_ms / 1000,
          lastPingAt: r.last_ping_at === null ? null : new Date(r.last_ping_at).toISOString(),
          state: now - last > r.interval_ms + r.grace_ms ? 'missed' : r.last_ping_at === null ? 'waiting' : 'ok',
        };
      });
    return { heartbeats };
  });
}
