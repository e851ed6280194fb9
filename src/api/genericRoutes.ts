import type { FastifyInstance } from 'fastify';
import { eventFromGeneric, genericEventSchema } from '../intake/genericEvents.js';
import type { ApiDeps } from './deps.js';
import { commitEvents, countRejected } from './intakeCommit.js';
import { sendInvalid } from './problems.js';
import { whyGenericEventIgnored } from '../intake/ignoredReason.js';

export function genericRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v1/intake/generic', { config: { access: 'intake' } }, async (request, reply) => {
    const parsed = genericEventSchema.safeParse(request.body);
    if (!parsed.success) {
      countRejected(deps, 'generic');
      return sendInvalid(reply, parsed.error);
    }
    const event = eventFromGeneric(parsed.data, { services: deps.services });
    const [result] = await commitEvents(deps, 'generic', [event]);
    return reply.code(202).send({
      status: 'success',
      outcome: result!.outcome,
      alertId: result!.alertId,
      fingerprint: result!.fingerprint,
      silenced: result!.silenced,
      ...(result!.outcome === 'ignored' ? { reason: await whyGenericEventIgnored(deps.store.db, parsed.data, event.service) } : {}),
    });
  });
}
