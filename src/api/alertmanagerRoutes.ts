import type { FastifyInstance } from 'fastify';
import { batchRefusalMessage, splitAlertBatch } from '../intake/alertBatch.js';
import { alertmanagerWebhookSchema, eventsFromAlertmanager, webhookAlertSchema } from '../intake/alertmanagerWebhook.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';
import { sendInvalid, sendProblem } from './problems.js';
import { hostileInputProblem } from './hostileInput.js';

/**
 * The target of an Alertmanager webhook receiver. Alertmanager gives up on
 * a notification after a 400, so the valid alerts of one are stored and the
 * 400 names only the invalid ones.
 */
export function alertmanagerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v1/intake/alertmanager', { config: { access: 'intake', perItemBody: true } }, async (request, reply) => {
    // the group's own fields are checked here; each alert in splitAlertBatch
    const body = request.body as Record<string, unknown> | null;
    const groupProblem = body && typeof body === 'object' && !Array.isArray(body) ? hostileInputProblem({ ...body, alerts: [] }, []) : null;
    if (groupProblem) {
      countRejected(deps, 'alertmanager');
      return sendProblem(reply, 400, 'invalid_request', `${groupProblem.field}: ${groupProblem.message}`, [groupProblem]);
    }
    const parsed = alertmanagerWebhookSchema.safeParse(request.body);
    if (!parsed.success) {
      countRejected(deps, 'alertmanager');
      return sendInvalid(reply, parsed.error);
    }
    const split = splitAlertBatch(parsed.data.alerts, webhookAlertSchema, ['alerts']);
    const results = split.valid.length ? await commitEvents(deps, 'alertmanager', eventsFromAlertmanager(parsed.data, split.valid, { services: deps.services })) : [];
    if (split.invalid.length > 0) {
      countRejected(deps, 'alertmanager', split.total - split.valid.length);
      return sendProblem(reply, 400, 'invalid_alerts', batchRefusalMessage(split), split.invalid);
    }
    return reply.code(200).send({ status: 'success', alerts: results.map((r) => ({ fingerprint: r.fingerprint, id: r.alertId, outcome: r.outcome })) });
  });
}
