import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { compileMatcher, parseMatcher, type Matcher } from '../intake/matchers.js';
import { expireSilenceRow, getSilence, insertSilence, listSilences, silenceFromRow } from '../intake/silences.js';
import { parseDuration } from '../config/duration.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { instantInRange, instantMs } from './timeFields.js';

const matcherObject = z
  .object({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'),
    value: z.string().max(2048),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .strict();

// A matcher is Alertmanager's object form or the text form `name=~"re"`.
const matcherSchema = z.union([matcherObject, z.string()]).transform((m, ctx): Matcher => {
  try {
    if (typeof m === 'string') return parseMatcher(m);
    compileMatcher(m);
    return m;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const time = instantMs;

const newSilenceSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher').max(64),
    startsAt: time.optional(),
    endsAt: time.optional(),
    duration: z
      .string()
      .transform((s, ctx) => {
        try {
          return parseDuration(s);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    createdBy: z.string().trim().min(1, 'say who creates the silence').max(255).optional(),
    comment: z.string().trim().min(1, 'say why (a ticket, a maintenance, an incident)').max(4096),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.endsAt === undefined && s.duration === undefined) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'give endsAt or duration' });
    if (s.endsAt !== undefined && s.duration !== undefined) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'give endsAt or duration, not both' });
  });

export function silenceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/v1/silences', { config: { access: 'respond' } }, async (request, reply) => {
    const parsed = newSilenceSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const now = deps.clock.now();
    const s = parsed.data;
    const startsAt = s.startsAt ?? now;
    const endsAt = s.endsAt ?? startsAt + (s.duration as number);
    // Checked before anything is stored: a silence ending past year 9999 was stored, then broke every list of silences.
    if (!instantInRange(endsAt)) {
      const field = s.duration !== undefined ? 'duration' : 'endsAt';
      return sendProblem(reply, 400, 'invalid_request', `${field}: the silence would end after year 9999`, [{ field, message: 'the silence would end after year 9999' }]);
    }
    if (endsAt <= startsAt) return sendProblem(reply, 400, 'invalid_request', 'endsAt: must be after startsAt', [{ field: 'endsAt', message: 'must be after startsAt' }]);
    if (endsAt <= now) return sendProblem(reply, 400, 'invalid_request', 'endsAt: must be in the future', [{ field: 'endsAt', message: 'must be in the future' }]);
    const id = await insertSilence(deps.store.db, { matchers: s.matchers, startsAt, endsAt, createdBy: actorOf(request, s.createdBy), comment: s.comment }, now);
    await deps.onSilencesChanged();
    const row = await getSilence(deps.store.db, id);
    return reply.code(201).send({ silenceID: id, silence: silenceFromRow(row!, now) });
  });

  app.get<{ Querystring: { state?: string } }>('/api/v1/silences', async (request) => {
    const silences = await listSilences(deps.store.db, deps.clock.now());
    const state = request.query.state;
    return { silences: state ? silences.filter((s) => s.status.state === state) : silences };
  });

  app.get<{ Params: { id: string } }>('/api/v1/silences/:id', async (request, reply) => {
    const row = await getSilence(deps.store.db, request.params.id);
    if (!row) return sendProblem(reply, 404, 'not_found', `no silence with id ${request.params.id}`);
    return silenceFromRow(row, deps.clock.now());
  });

  app.delete<{ Params: { id: string } }>('/api/v1/silences/:id', { config: { access: 'respond' } }, async (request, reply) => {
    const now = deps.clock.now();
    const outcome = await expireSilenceRow(deps.store.db, request.params.id, now);
    if (outcome === 'not-found') return sendProblem(reply, 404, 'not_found', `no silence with id ${request.params.id}`);
    if (outcome === 'expired') await deps.onSilencesChanged();
    const row = await getSilence(deps.store.db, request.params.id);
    return { status: outcome, silence: silenceFromRow(row!, now) };
  });
}
