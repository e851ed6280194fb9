import type { FastifyError, FastifyInstance } from 'fastify';
import { eventFromPagerduty, newDedupKey, PAGERDUTY_MAX_BODY_BYTES, pagerdutyEventSchema } from '../intake/pagerdutyEvents.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';
import { zodProblems } from './problems.js';

/** PagerDuty Events API v2: replies in PagerDuty's own shapes so its clients understand them. */
export function pagerdutyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const invalid = (message: string, errors: string[]) => ({ status: 'invalid event', message, errors });
  app.post(
    '/v2/enqueue',
    {
      bodyLimit: PAGERDUTY_MAX_BODY_BYTES,
      config: { access: 'routing-key' },
      errorHandler(error: FastifyError, _request, reply) {
        countRejected(deps, 'pagerduty');
        if (error.statusCode === 413) return reply.code(413).send(invalid('Request too large', [`the event is larger than ${PAGERDUTY_MAX_BODY_BYTES / 1024} KB`]));
        if (error.statusCode && error.statusCode < 500) return reply.code(400).send(invalid('Event object is invalid', [error.message]));
        throw error;
      },
    },
    async (request, reply) => {
      const parsed = pagerdutyEventSchema.safeParse(request.body);
      if (!parsed.success) {
        countRejected(deps, 'pagerduty');
        const errors = zodProblems(parsed.error).map((p) => `'${p.field}' ${p.message}`);
        return reply.code(400).send(invalid('Event object is invalid', errors));
      }
      const event = parsed.data;
      const service = deps.services.serviceForIntegrationKey(event.routing_key);
      if (!service) {
        countRejected(deps, 'pagerduty');
        return reply.code(400).send(invalid('Event object is invalid', ["'routing_key' is not the integration key of any service"]));
      }
      const dedupKey = event.dedup_key ?? newDedupKey();
      await commitEvents(deps, 'pagerduty', [eventFromPagerduty(event, { service, dedupKey })]);
      return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    },
  );
}
