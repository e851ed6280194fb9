import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addSliEvents, budgetSeriesKey, lastEvaluations } from '../slo/sliStore.js';
import { backtestSlo } from '../slo/backtest.js';
import { dailyHistory, liveStatus, sloSummary, statusView } from '../slo/sloView.js';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { answerGate } from '../slo/sloGate.js';
import { policyEvents } from '../slo/sloNotice.js';
import { reviewSlo, targetHistory } from '../slo/sloReview.js';
import { durationSchema } from '../config/index.js';
import { rfc3339 } from '../intake/limits.js';

const count = z.number().int('must be a whole number of events').min(0, 'must not be negative').max(1e9, 'at most 1,000,000,000 events a request');

/** Good and bad events of an indicator, as a service reports what its users saw. */
export const sliEventsSchema = z
  .object({
    good: count.optional(),
    bad: count.optional(),
    total: count.optional(),
    /** when they happened (default: now); at most the SLO's window ago */
    at: rfc3339.optional(),
  })
  .strict()
  .refine((b) => [b.good, b.bad, b.total].filter((x) => x !== undefined).length >= 2 || (b.good !== undefined && b.total === undefined && b.bad === undefined) || (b.bad !== undefined && b.good === undefined && b.total === undefined), {
    message: 'give two of good, bad and total (or only good, or only bad)',
  })
  .refine((b) => b.good === undefined || b.total === undefined || b.good <= b.total, { message: 'good must not be more than total', path: ['good'] })
  .refine((b) => b.good === undefined || b.bad === undefined || b.total === undefined || b.good + b.bad === b.total, { message: 'good and bad must add up to total', path: ['total'] });

const backtestQuerySchema = z
  .object({
    from: rfc3339.optional(),
    to: rfc3339.optional(),
    objective: z.coerce.number().gt(0, 'must be above 0').lt(100, 'must be below 100').optional(),
    minBadEvents: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  })
  .strict();

const reviewQuerySchema = z.object({ windows: z.coerce.number().int('must be a whole number').min(1, 'at least 1').max(12, 'at most 12').default(3) }).strict();

const gateOverrideSchema = z
  .object({
    reason: z.string({ error: 'is required: why changes may go out although the budget says no' }).trim().min(3, 'say why, in a few words'),
    for: durationSchema.refine((ms) => ms > 0 && ms <= 7 * 86_400_000, 'must be longer than 0s and at most 7d'),
    /** without tokens only: who overrides (with tokens, the credential says) */
    createdBy: z.string().min(1).optional(),
  })
  .strict();

export function sloRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const byName = new Map(deps.slos.map((s) => [s.name, s]));
  const unknown = (reply: Parameters<typeof sendProblem>[0], name: string) =>
    sendProblem(reply, 404, 'unknown_slo', `no SLO named "${name}" is configured${byName.size ? ` (there are: ${[...byName.keys()].slice(0, 10).join(', ')})` : ''}`);

  app.get('/api/v1/slos', async () => {
    const stored = await lastEvaluations(deps.store.db);
    return { slos: deps.slos.map((s) => sloSummary(s, stored.get(s.name) ?? null)) };
  });

  app.get<{ Params: { name: string } }>('/api/v1/slos/:name', async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const status = await liveStatus(deps.store.db, slo, deps.clock.now());
    return { ...statusView(slo, status), history: await dailyHistory(deps.store.db, budgetSeriesKey(slo), status.window.start, status.window.end), policyEvents: await policyEvents(deps.store.db, slo.name) };
  });

  app.get<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>('/api/v1/slos/:name/backtest', async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const parsed = backtestQuerySchema.safeParse(request.query);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const now = deps.clock.now();
    const to = parsed.data.to ?? now;
    const from = parsed.data.from ?? to - 7 * 86_400_000;
    if (from === null || to === null || from >= to) return sendProblem(reply, 400, 'invalid_request', 'from: must be before to', [{ field: 'from', message: 'must be before to' }]);
    if (to - from > 92 * 86_400_000) return sendProblem(reply, 400, 'invalid_request', 'from: a backtest covers at most 92 days', [{ field: 'from', message: 'a backtest covers at most 92 days' }]);
    // The SLO as it would be with the tried values: nothing is stored, nothing fires.
    const spec = {
      ...slo.spec,
      ...(parsed.data.objective !== undefined ? { objective: parsed.data.objective } : {}),
      alerting: { ...slo.spec.alerting, ...(parsed.data.minBadEvents !== undefined ? { minBadEvents: parsed.data.minBadEvents } : {}) },
    };
    const r = await backtestSlo(deps.store.db, slo.name, spec, from, Math.min(to, now), now);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      slo: slo.name,
      objective: spec.objective,
      minBadEvents: spec.alerting.minBadEvents,
      from: iso(r.from),
      to: iso(r.to),
      evaluations: r.evaluations,
      pages: r.pages,
      tickets: r.tickets,
      pagedMinutes: r.pagedMinutes,
      transitions: r.transitions.map((t) => ({ at: iso(t.at), tier: t.tier, urgency: t.urgency, budgetRemaining: Math.round(t.budgetRemaining * 1e6) / 1e6 })),
    };
  });

  app.get<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>('/api/v1/slos/:name/review', async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const parsed = reviewQuerySchema.safeParse(request.query);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const review = await reviewSlo(deps.store.db, slo, deps.clock.now(), parsed.data.windows);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      slo: slo.name,
      objective: slo.spec.objective,
      verdict: review.verdict,
      advice: review.advice,
      windows: review.windows.map((w) => ({ ...w, start: iso(w.start), end: iso(w.end) })),
      targets: (await targetHistory(deps.store.db, slo.name)).map((t) => ({ objective: t.objective, since: iso(t.since) })),
    };
  });

  // 200 when a change may go out, 423 (Locked) when the policy says no: `curl --fail` in a pipeline stops on it.
  app.get<{ Params: { name: string } }>('/api/v1/slos/:name/gate', async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const now = deps.clock.now();
    const answer = await answerGate(deps.store.db, slo, await liveStatus(deps.store.db, slo, now), now);
    return reply.code(answer.allow ? 200 : 423).send(answer);
  });

  app.get<{ Params: { name: string } }>('/api/v1/slos/:name/gate/overrides', async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const rows = await deps.store.db.selectFrom('slo_gate_overrides').selectAll().where('slo', '=', slo.name).orderBy('id', 'desc').limit(200).execute();
    const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return {
      overrides: rows.map((r) => ({ id: Number(r.id), createdBy: r.created_by, reason: r.reason, createdAt: iso(r.created_at), expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at), revokedBy: r.revoked_by })),
    };
  });

  app.post<{ Params: { name: string } }>('/api/v1/slos/:name/gate/overrides', { config: { access: 'respond' } }, async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const parsed = gateOverrideSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const now = deps.clock.now();
    const createdBy = actorOf(request, parsed.data.createdBy);
    const inserted = await deps.store.db
      .insertInto('slo_gate_overrides')
      .values({ slo: slo.name, created_by: createdBy, reason: parsed.data.reason, created_at: now, expires_at: now + parsed.data.for, revoked_at: null, revoked_by: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    deps.logger.info({ slo: slo.name, by: createdBy, reason: parsed.data.reason, until: new Date(now + parsed.data.for).toISOString() }, 'SLO gate overridden');
    return reply.code(201).send({ id: Number(inserted.id), slo: slo.name, createdBy, reason: parsed.data.reason, expiresAt: new Date(now + parsed.data.for).toISOString() });
  });

  app.delete<{ Params: { name: string; id: string } }>('/api/v1/slos/:name/gate/overrides/:id', { config: { access: 'respond' } }, async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const now = deps.clock.now();
    const r = await deps.store.db
      .updateTable('slo_gate_overrides')
      .set({ revoked_at: now, revoked_by: actorOf(request, undefined) })
      .where('id', '=', id)
      .where('slo', '=', slo.name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return sendProblem(reply, 404, 'unknown_override', `SLO "${slo.name}" has no override ${id} in force`);
    return reply.code(200).send({ status: 'success', id, revokedBy: actorOf(request, undefined) });
  });

  app.post<{ Params: { name: string } }>('/api/v1/slis/:name/events', { config: { access: 'intake' } }, async (request, reply) => {
    const slo = byName.get(request.params.name);
    if (!slo) return unknown(reply, request.params.name);
    if (!('events' in slo.spec.indicator)) {
      return sendProblem(reply, 409, 'indicator_not_pushed', `SLO "${slo.name}" counts probe results; only an SLO with indicator.events takes pushed events`);
    }
    const parsed = sliEventsSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const b = parsed.data;
    const now = deps.clock.now();
    const at = b.at ?? now;
    if (at === null || at > now + 60_000) return sendProblem(reply, 400, 'invalid_request', 'at: must not be in the future', [{ field: 'at', message: 'must not be in the future' }]);
    const good = b.good ?? (b.total ?? 0) - (b.bad ?? 0);
    const total = b.total ?? good + (b.bad ?? 0);
    if (good < 0) return sendProblem(reply, 400, 'invalid_request', 'bad: must not be more than total', [{ field: 'bad', message: 'must not be more than total' }]);
    if (total > 0) await addSliEvents(deps.store.db, slo.name, at, good, total);
    return reply.code(200).send({ status: 'success', slo: slo.name, good, bad: total - good, minute: new Date(Math.floor(at / 60_000) * 60_000).toISOString() });
  });
}
