import type { FastifyInstance } from 'fastify';
import { eventsFromPrometheus, postableAlertsSchema } from '../intake/prometheusAlerts.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';
import { sendInvalid } from './problems.js';

/** Prometheus (or anything speaking Alertmanager's API v2) can use prodeng as its Alertmanager. */
export function prometheusRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v2/alerts', { config: { access: 'intake' } }, async (request, reply) => {
    const parsed = postableAlertsSchema.safeParse(request.body);
    if (!parsed.success) {
      countRejected(deps, 'prometheus', Array.isArray(request.body) ? request.body.length : 1);
      return sendInvalid(reply, parsed.error);
    }
    const now = deps.clock.now();
    const events = eventsFromPrometheus(parsed.data, { now, resolveTimeoutMs: deps.resolveTimeoutMs, services: deps.services });
    await commitEvents(deps, 'prometheus', events);
    return reply.code(200).send({ status: 'success', received: events.length });
  });
}
