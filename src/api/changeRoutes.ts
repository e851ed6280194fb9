import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { didYouMean } from '../config/references.js';
import { changeFields, FUTURE_SKEW_MS } from '../deploys/changes/changeInput.js';
import { changesOf, MAX_CHANGE_LIMIT, recordChange } from '../deploys/changes/changeStore.js';
import { changeView } from '../deploys/changes/changeView.js';
import { changeFromPagerduty, PAGERDUTY_CHANGE_MAX_BODY_BYTES, pagerdutyChangeSchema } from '../deploys/changes/pagerdutyChange.js';
import { actorOf } from './actor.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem, zodProblems } from './problems.js';
import { instantMs } from './timeFields.js';

// `by` is a label: with API tokens, who changed it comes from the token (see actor.ts).
const changeBody = z
  .object({
    ...changeFields,
    at: instantMs.optional(),
    by: z.string().trim().min(1, 'say who you are, e.g. "alice"').max(255).optional(),
  })
  .strict();

const listQuery = z
  .object({
    service: changeFields.service.optional(),
    since: instantMs.optional(),
    until: instantMs.optional(),
    limit: z.coerce.number({ error: `must be a number from 1 to ${MAX_CHANGE_LIMIT}` }).int(`must be a whole number from 1 to ${MAX_CHANGE_LIMIT}`).min(1).max(MAX_CHANGE_LIMIT).optional(),
  })
  .strict()
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { path: ['until'], message: 'must not be before since' });

/**
 * Changes on the record: prodeng's own API (the CLI and pipelines use it)
 * and PagerDuty's change events, which answer in PagerDuty's shapes so its
 * clients understand them.
 */
export function changeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const unknownService = (service: string) => `"${service}" is not a configured Service${didYouMean(service, [...deps.serviceOwners.keys()])}`;

  // A pipeline records its deploys as a sender does (the intake role, like CI reports); responders may too.
  app.post('/api/v1/changes', { config: { access: 'intake' } }, async (request, reply) => {
    const parsed = changeBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { service, version, kind, summary, commit, link, at, by } = parsed.data;
    if (!deps.serviceOwners.has(service)) {
      const message = unknownService(service);
      return sendProblem(reply, 400, 'unknown_service', `service: ${message}`, [{ field: 'service', message }]);
    }
    const now = deps.clock.now();
    if (at !== undefined && at > now + FUTURE_SKEW_MS) {
      const message = `is ${Math.round((at - now) / 60_000)} min ahead of the server's clock: record a change when it has happened`;
      return sendProblem(reply, 400, 'invalid_request', `at: ${message}`, [{ field: 'at', message }]);
    }
    const stored = await recordChange(deps.store.db, { service, version, kind, summary, commit, link, who: actorOf(request, by), source: 'api', at: at ?? now, receivedAt: now });
    return reply.code(201).send(changeView(stored));
  });

  app.get('/api/v1/changes', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { service, since, until, limit } = parsed.data;
    // A typo should say so, not answer "no changes".
    if (service !== undefined && !deps.serviceOwners.has(service)) {
      const message = unknownService(service);
      return sendProblem(reply, 400, 'unknown_service', `service: ${message}`, [{ field: 'service', message }]);
    }
    const changes = await changesOf(deps.store.db, { service, since, until, limit });
    return { changes: changes.map(changeView) };
  });

  // PagerDuty change events: routed by integration key as POST /v2/enqueue is.
  const invalid = (errors: string[]) => ({ status: 'invalid event', message: 'Event object is invalid', errors });
  app.post(
    '/v2/change/enqueue',
    {
      bodyLimit: PAGERDUTY_CHANGE_MAX_BODY_BYTES,
      config: { access: 'routing-key' },
      errorHandler(error: FastifyError, _request, reply) {
        if (error.statusCode === 413) return reply.code(413).send({ status: 'invalid event', message: 'Request too large', errors: [`the event is larger than ${PAGERDUTY_CHANGE_MAX_BODY_BYTES / 1024} KB`] });
        if (error.statusCode && error.statusCode < 500) return reply.code(400).send(invalid([error.message]));
        throw error;
      },
    },
    async (request, reply) => {
      const parsed = pagerdutyChangeSchema.safeParse(request.body);
      if (!parsed.success) return reply.code(400).send(invalid(zodProblems(parsed.error).map((p) => `'${p.field}' ${p.message}`)));
      const service = deps.services.serviceForIntegrationKey(parsed.data.routing_key);
      if (!service) return reply.code(400).send(invalid(["'routing_key' is not the integration key of any service"]));
      await recordChange(deps.store.db, changeFromPagerduty(parsed.data, { service, now: deps.clock.now() }));
      // PagerDuty's reply to a change event: no dedup_key, a change is not an alert to update.
      return reply.code(202).send({ status: 'success', message: 'Change event processed' });
    },
  );
}
