import type { FastifyInstance } from 'fastify';
import { batchRefusalMessage, splitAlertBatch } from '../intake/alertBatch.js';
import { intakeLimits } from '../intake/limits.js';
import { eventsFromPrometheus, postableAlertSchema } from '../intake/prometheusAlerts.js';
import { fastPostableAlert } from '../intake/postableAlertFastPath.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';

/**
 * Prometheus (or anything speaking Alertmanager's API v2) can use prodeng as
 * its Alertmanager. As in Alertmanager, each alert of a batch stands on its
 * own: the valid ones are stored and a 400 names the others (Prometheus does
 * not retry a 400, so refusing the batch would lose the good alerts). Errors
 * are a JSON string, the shape Alertmanager's API gives a 400.
 */
export function prometheusRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v2/alerts', { config: { access: 'intake', perItemBody: true } }, async (request, reply) => {
    const body = request.body;
    if (!Array.isArray(body)) {
      countRejected(deps, 'prometheus');
      return reply.code(400).type('application/json').send(JSON.stringify('the body must be a JSON array of alerts'));
    }
    if (body.length > intakeLimits.maxAlertsPerBatch) {
      countRejected(deps, 'prometheus', body.length);
      return reply.code(400).type('application/json').send(JSON.stringify(`at most ${intakeLimits.maxAlertsPerBatch} alerts per request, not ${body.length}; send them in smaller batches`));
    }
    const split = splitAlertBatch(body, postableAlertSchema, [], fastPostableAlert);
    const now = deps.clock.now();
    const events = eventsFromPrometheus(split.valid, { now, resolveTimeoutMs: deps.resolveTimeoutMs, services: deps.services });
    if (events.length > 0) await commitEvents(deps, 'prometheus', events);
    if (split.invalid.length > 0) {
      countRejected(deps, 'prometheus', split.total - split.valid.length);
      return reply.code(400).type('application/json').send(JSON.stringify(batchRefusalMessage(split)));
    }
    // Alertmanager answers a 200 with no body; clients (Prometheus, amtool) expect nothing more.
    return reply.code(200).send();
  });
}
