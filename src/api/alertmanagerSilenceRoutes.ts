import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { silenceMatchesFilter, silencesEverything, sortSilencesAsAlertmanager } from '../intake/alertmanagerSilences.js';
import { compileMatcher } from '../intake/matchers.js';
import { changeSilence, expireSilenceRow, getSilence, listSilences, silenceFromRow } from '../intake/silences.js';
import { actorOf } from './actor.js';
import { filterParam } from './alertmanagerQuery.js';
import type { ApiDeps } from './deps.js';
import { fieldPath, sendProblem } from './problems.js';
import { instantMs } from './timeFields.js';

// Alertmanager's postableSilence. Unknown fields are ignored as Alertmanager
// ignores them, so a silence read from GET (with status, updatedAt) posts back.
const matcherSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'),
    value: z.string(),
    isRegex: z.boolean({ error: 'isRegex: required, true or false' }),
    isEqual: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    try {
      compileMatcher(m);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: (err as Error).message });
    }
  });

const postableSilenceSchema = z.object({
  id: z.string().optional(),
  matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher').max(64),
  startsAt: instantMs,
  endsAt: instantMs,
  createdBy: z.string().max(255),
  comment: z.string().max(4096),
});

/**
 * Alertmanager's API v2 for silences, over the same silences as
 * /api/v1/silences: what amtool silence add, query, update, expire and
 * import use. A silence's id is a UUID either way.
 */
export function alertmanagerSilenceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/api/v2/silences', async (request, reply) => {
    const filter = filterParam(request.query.filter);
    if (!filter.ok) return sendProblem(reply, 400, 'invalid_request', filter.message);
    const silences = await listSilences(deps.store.db, deps.clock.now());
    return sortSilencesAsAlertmanager(silences.filter((s) => silenceMatchesFilter(s, filter.value)));
  });

  app.post('/api/v2/silences', { config: { access: 'respond' } }, async (request, reply) => {
    const parsed = postableSilenceSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendProblem(reply, 400, 'invalid_request', `silence invalid: ${fieldPath(issue.path)}: ${issue.message}`);
    }
    const s = parsed.data;
    const now = deps.clock.now();
    if (silencesEverything(s.matchers)) return sendProblem(reply, 400, 'invalid_request', 'silence invalid: at least one matcher must not match the empty string');
    if (s.endsAt <= s.startsAt) return sendProblem(reply, 400, 'invalid_request', 'Failed to create silence: start time must be before end time');
    if (s.endsAt < now) return sendProblem(reply, 400, 'invalid_request', "Failed to create silence: end time can't be in the past");
    const result = await changeSilence(deps.store.db, { id: s.id || undefined, matchers: s.matchers, startsAt: s.startsAt, endsAt: s.endsAt, createdBy: actorOf(request, s.createdBy), comment: s.comment }, now);
    if (result.outcome === 'not-found') return sendProblem(reply, 404, 'not_found', 'silence not found');
    await deps.onSilencesChanged();
    return { silenceID: result.id };
  });

  app.get<{ Params: { id: string } }>('/api/v2/silence/:id', async (request, reply) => {
    const row = await getSilence(deps.store.db, request.params.id);
    if (!row) return sendProblem(reply, 404, 'not_found', 'silence not found');
    return silenceFromRow(row, deps.clock.now());
  });

  app.delete<{ Params: { id: string } }>('/api/v2/silence/:id', { config: { access: 'respond' } }, async (request, reply) => {
    const outcome = await expireSilenceRow(deps.store.db, request.params.id, deps.clock.now());
    if (outcome === 'not-found') return sendProblem(reply, 404, 'not_found', 'silence not found');
    if (outcome === 'expired') await deps.onSilencesChanged();
    return reply.code(200).send();
  });
}
