import type { FastifyInstance } from 'fastify';
import { alertmanagerWebhookSchema, eventsFromAlertmanager } from '../intake/alertmanagerWebhook.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';
import { sendInvalid } from './problems.js';

/** The target of an Alertmanager webhook receiver. */
export function alertmanagerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v1/intake/alertmanager', { config: { access: 'intake' } }, async (request, reply) => {
    const parsed = alertmanagerWebhookSchema.safeParse(request.body);
    if (!parsed.success) {
      countRejected(deps, 'alertmanager');
      return sendInvalid(reply, parsed.error);
    }
    const results = await commitEvents(deps, 'alertmanager', eventsFromAlertmanager(parsed.data, { services: deps.services }));
    return reply.code(200).send({ status: 'success', alerts: results.map((r) => ({ fingerprint: r.fingerprint, id: r.alertId, outcome: r.outcome })) });
  });
}
