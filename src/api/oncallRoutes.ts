import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { ScheduleDoc } from '../oncall/scheduleKind.js';
import { onCallAt, shiftsBetween } from '../oncall/rotation.js';
import { calendarFeed, feedEvents, feedSignature, feedSignatureValid, type FeedSchedule } from '../oncall/calendarFeed.js';
import type { EffectiveSchedules, LiveSchedules, NamedSchedule } from '../oncall/liveSchedules.js';
import type { ApiDeps } from './deps.js';
import { overrideRoutes } from './overrideRoutes.js';
import { overrideRef } from './overrideViews.js';
import { sendInvalid, sendProblem } from './problems.js';
import { instantText } from './timeFields.js';

const instant = instantText;
const oncallQuery = z.object({ team: z.string().optional(), schedule: z.string().optional(), at: instant.optional() }).strict();
const shiftsQuery = z.object({ from: instant.optional(), to: instant.optional() }).strict();
const feedQuery = z.object({ sig: z.string().optional() }).strict();

const MAX_RANGE_DAYS = 366;
const FEED_PAST_DAYS = 7;
const FEED_FUTURE_DAYS = 90;

export interface OncallDeps {
  schedules: ScheduleDoc[];
  /** signs calendar feed URLs; null when the server runs without API tokens */
  feedSecret: string | null;
  /** the schedules with their stored overrides, shared with paging */
  live: LiveSchedules;
  /** names of the config's Users, whom an override may put on call */
  users: readonly string[];
}

/** Who is on call, shifts over a range, iCalendar feeds per schedule and per user, and overrides (overrideRoutes.ts). */
export function oncallRoutes(app: FastifyInstance, deps: ApiDeps, oncall: OncallDeps): void {
  const { live } = oncall;
  overrideRoutes(app, deps, { live, users: oncall.users });
  const now = () => DateTime.fromMillis(deps.clock.now(), { zone: 'UTC' });
  const feedPath = (path: string) => (oncall.feedSecret ? `${path}?sig=${feedSignature(oncall.feedSecret, path)}` : path);

  app.get('/api/v1/oncall', async (request, reply) => {
    const parsed = oncallQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { team, schedule, at } = parsed.data;
    const effective = await live.current();
    if (schedule && !effective.byName.has(schedule)) return sendProblem(reply, 404, 'schedule_not_found', `no schedule named ${schedule}`);
    const when = at ? DateTime.fromISO(at, { setZone: true }).toUTC() : now();
    const entries = [];
    for (const doc of effective.list) {
      if (team && doc.spec.team !== team) continue;
      if (schedule && doc.name !== schedule) continue;
      const who = onCallAt(doc.spec, when);
      for (const user of who.users) entries.push({ schedule: doc.name, team: doc.spec.team, user, layer: who.layer });
      for (const s of who.shadows) entries.push({ schedule: doc.name, team: doc.spec.team, user: s.user, shadowing: s.shadowing });
    }
    return { at: when.toISO(), oncall: entries };
  });

  app.get('/api/v1/schedules', async () => ({
    schedules: live.configured.map((s) => ({
      name: s.name,
      team: s.spec.team,
      timeZone: s.spec.timeZone,
      layers: s.spec.layers.map((l) => ({ name: l.name, every: l.rotation.every, handoff: l.rotation.handoff ?? null, participants: l.participants })),
      calendarUrl: feedPath(`/api/v1/schedules/${s.name}/calendar.ics`),
    })),
  }));

  app.get<{ Params: { name: string } }>('/api/v1/schedules/:name/shifts', async (request, reply) => {
    const effective = await live.current();
    const doc = effective.byName.get(request.params.name);
    if (!doc) return sendProblem(reply, 404, 'schedule_not_found', `no schedule named ${request.params.name}`);
    const parsed = shiftsQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const from = parsed.data.from ? DateTime.fromISO(parsed.data.from, { setZone: true }).toUTC() : now();
    const to = parsed.data.to ? DateTime.fromISO(parsed.data.to, { setZone: true }).toUTC() : from.plus({ days: 14 });
    if (to <= from) return sendProblem(reply, 400, 'invalid_request', 'to: must be after from', [{ field: 'to', message: 'must be after from' }]);
    if (to.diff(from, 'days').days > MAX_RANGE_DAYS) return sendProblem(reply, 400, 'invalid_request', `to: at most ${MAX_RANGE_DAYS} days after from`, [{ field: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` }]);
    const shifts = shiftsBetween(doc.spec, from, to).map((s) => ({
      start: s.start.toUTC().toISO(),
      end: s.end.toUTC().toISO(),
      users: s.users,
      shadows: s.shadows,
      layer: s.layer,
      overrides: s.overrides.map((o) => overrideRef(o, effective)),
    }));
    return { schedule: doc.name, timeZone: doc.spec.timeZone, shifts };
  });

  // Feeds are public routes guarded by a signature in the URL (see calendarFeed.ts).
  const feedAllowed = (path: string, sig: string | undefined) => !oncall.feedSecret || (sig !== undefined && feedSignatureValid(oncall.feedSecret, path, sig));
  // Shifts overlapping the window are given whole (see feedEvents), so the window only picks which shifts.
  const feedWindow = () => ({ from: now().minus({ days: FEED_PAST_DAYS }), to: now().plus({ days: FEED_FUTURE_DAYS }) });
  const feedSchedule = (doc: NamedSchedule, effective: EffectiveSchedules): FeedSchedule => ({
    name: doc.name,
    spec: doc.spec,
    configOverrides: doc.spec.overrides.filter((o) => !effective.storedOf(o)),
    stored: effective.storedHistory(doc.name),
  });

  app.get<{ Params: { name: string } }>('/api/v1/schedules/:name/calendar.ics', { config: { access: 'public' } }, async (request, reply) => {
    const q = feedQuery.safeParse(request.query ?? {});
    const path = `/api/v1/schedules/${request.params.name}/calendar.ics`;
    if (!q.success || !feedAllowed(path, q.data.sig)) return sendProblem(reply, 401, 'unauthorized', 'this feed URL needs its signature: take the calendarUrl from GET /api/v1/schedules');
    const effective = await live.current();
    const doc = effective.byName.get(request.params.name);
    if (!doc) return sendProblem(reply, 404, 'schedule_not_found', `no schedule named ${request.params.name}`);
    const { from, to } = feedWindow();
    const events = feedEvents(feedSchedule(doc, effective), from, to);
    return reply.type('text/calendar; charset=utf-8').send(calendarFeed(`On call: ${doc.name}`, events, now()));
  });

  app.get<{ Params: { name: string } }>('/api/v1/users/:name/calendar.ics', { config: { access: 'public' } }, async (request, reply) => {
    const q = feedQuery.safeParse(request.query ?? {});
    const path = `/api/v1/users/${request.params.name}/calendar.ics`;
    if (!q.success || !feedAllowed(path, q.data.sig)) return sendProblem(reply, 401, 'unauthorized', 'this feed URL needs its signature: take the calendarUrl from GET /api/v1/users/NAME/oncall');
    const user = request.params.name;
    const { from, to } = feedWindow();
    const effective = await live.current();
    const events = effective.list.flatMap((doc) => feedEvents(feedSchedule(doc, effective), from, to, user));
    return reply.type('text/calendar; charset=utf-8').send(calendarFeed(`On call: ${user}`, events, now(), user));
  });

  app.get<{ Params: { name: string } }>('/api/v1/users/:name/oncall', async (request) => {
    const user = request.params.name;
    const { from, to } = { from: now(), to: now().plus({ days: 28 }) };
    const shifts = (await live.current()).list.flatMap((doc) =>
      shiftsBetween(doc.spec, from, to)
        .filter((s) => s.users.includes(user) || s.shadows.some((sh) => sh.user === user))
        .map((s) => ({ schedule: doc.name, start: s.start.toUTC().toISO(), end: s.end.toUTC().toISO(), shadowing: s.shadows.find((sh) => sh.user === user)?.shadowing ?? null })),
    );
    return { user, shifts, calendarUrl: feedPath(`/api/v1/users/${user}/calendar.ics`) };
  });
}
