import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { didYouMean } from '../config/references.js';
import type { LiveSchedules } from '../oncall/liveSchedules.js';
import { addOverride, cancelOverride, listOverrides } from '../oncall/overrideStore.js';
import { localTime } from '../oncall/rotation.js';
import type { ApiDeps } from './deps.js';
import { configOverrideView, storedOverrideView } from './overrideViews.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { instantMs } from './timeFields.js';
import { actorOf } from './actor.js';

const MAX_OVERRIDE_DAYS = 366;
const DAY_MS = 86_400_000;

// A time without a zone would be read in the server's zone, which is rarely the one the person meant.
const zonedTime = z
  .string({ error: 'an ISO 8601 time with a zone, such as 2026-11-23T10:00:00Z' })
  .refine(
    (s) => /T\d\d:\d\d.*(Z|[+-]\d\d(:?\d\d)?)$/i.test(s) && DateTime.fromISO(s, { setZone: true }).isValid,
    'must be an ISO 8601 time with a zone, such as 2026-11-23T10:00:00Z or 2026-11-23T11:00:00+01:00',
  )
  .pipe(instantMs);

const listQuery = z.object({ from: zonedTime.optional(), to: zonedTime.optional() }).strict();
const cancelQuery = z.object({ by: z.string().trim().min(1).max(255).optional() }).strict();

/** The body of POST …/overrides, checked against the config's users and the current time. */
function newOverrideBody(users: readonly string[], now: number) {
  const person = (role: string) =>
    z
      .string({ error: `${role}: a User name from the config, e.g. "alice"` })
      .trim()
      .min(1, `say who ${role === 'user' ? 'covers' : 'is covered for'}`)
      .superRefine((name, ctx) => {
        if (users.includes(name)) return;
        const hint = users.length === 0 ? ' (the config defines no User)' : didYouMean(name, users);
        ctx.addIssue({ code: 'custom', message: `no User named "${name}" in the config${hint}` });
      });
  return z
    .object({
      user: person('user'),
      replaces: person('replaces').optional(),
      from: zonedTime,
      to: zonedTime,
      reason: z.string().trim().max(1000, 'at most 1000 characters').optional(),
      by: z.string().trim().min(1, 'say who adds the override').max(255).optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.replaces === b.user) ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'must be someone other than user' });
      if (b.to <= b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (b.to - b.from > MAX_OVERRIDE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_OVERRIDE_DAYS} days after from (change the rotation for longer)` });
      if (b.to <= now) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be in the future (it is ${new Date(now).toISOString()}); an override that has ended changes nothing` });
    });
}

export interface OverrideRouteOptions {
  live: LiveSchedules;
  /** names of the config's Users: only they can be put on call */
  users: readonly string[];
}

/** Overrides added at run time: list (with the config's), add, cancel. */
export function overrideRoutes(app: FastifyInstance, deps: ApiDeps, opts: OverrideRouteOptions): void {
  const configured = new Map(opts.live.configured.map((s) => [s.name, s]));
  const unknownSchedule = (reply: Parameters<typeof sendProblem>[0], name: string) =>
    sendProblem(reply, 404, 'schedule_not_found', `no schedule named ${name}${didYouMean(name, [...configured.keys()])}`);

  app.get<{ Params: { name: string } }>('/api/v1/schedules/:name/overrides', async (request, reply) => {
    const schedule = configured.get(request.params.name);
    if (!schedule) return unknownSchedule(reply, request.params.name);
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const from = parsed.data.from ?? deps.clock.now();
    const to = parsed.data.to;
    if (to !== undefined && to <= from) return sendProblem(reply, 400, 'invalid_request', 'to: must be after from', [{ field: 'to', message: 'must be after from' }]);
    const zone = schedule.spec.timeZone;
    const fromConfig = schedule.spec.overrides
      .filter((o) => localTime(o.to, zone).toMillis() > from && (to === undefined || localTime(o.from, zone).toMillis() < to))
      .map((o) => configOverrideView(schedule.name, zone, o));
    const stored = (await listOverrides(deps.store.db, { schedule: schedule.name, from, to })).map(storedOverrideView);
    const overrides = [...fromConfig, ...stored].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
    return { schedule: schedule.name, timeZone: zone, overrides };
  });

  app.post<{ Params: { name: string } }>('/api/v1/schedules/:name/overrides', { config: { access: 'respond' } }, async (request, reply) => {
    const schedule = configured.get(request.params.name);
    if (!schedule) return unknownSchedule(reply, request.params.name);
    const now = deps.clock.now();
    const parsed = newOverrideBody(opts.users, now).safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const b = parsed.data;
    const stored = await addOverride(
      deps.store.db,
      { schedule: schedule.name, user: b.user, replaces: b.replaces ?? null, startsAt: b.from, endsAt: b.to, createdBy: actorOf(request, b.by), reason: b.reason ?? '' },
      now,
    );
    opts.live.invalidate();
    return reply.code(201).send(storedOverrideView(stored));
  });

  app.delete<{ Params: { name: string; id: string } }>('/api/v1/schedules/:name/overrides/:id', { config: { access: 'respond' } }, async (request, reply) => {
    if (!configured.has(request.params.name)) return unknownSchedule(reply, request.params.name);
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const q = cancelQuery.safeParse(request.query ?? {});
    if (!q.success) return sendInvalid(reply, q.error);
    const result = await cancelOverride(deps.store.db, { schedule: request.params.name, id, by: actorOf(request, q.data.by) }, deps.clock.now());
    if (!result.ok) return sendProblem(reply, result.code === 'not_found' ? 404 : 409, result.code, result.message);
    opts.live.invalidate();
    return reply.code(204).send();
  });
}
