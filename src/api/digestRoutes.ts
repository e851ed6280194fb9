import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { didYouMean } from '../config/references.js';
import { lastDay, prometheusFromEnv, teamDigest, utcDay, type DigestTeams } from '../reports/digest.js';
import { mailDigest, type DigestDelivery } from '../reports/digestSchedule.js';
import { servicesOf, teamNames } from '../reports/teamReports.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';

const dateField = z
  .string()
  .trim()
  // abort: a shape that is wrong is not also reported as an invalid date
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a day as YYYY-MM-DD (UTC), e.g. 2026-11-20', abort: true })
  // Date.parse reads 2026-02-30 as March 2nd; a day that does not read back the same is a typo.
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a valid date')
  .optional();
const teamField = z.string().trim().min(1, 'must name a team');

const digestQuery = z.object({ team: teamField, date: dateField }).strict();
const sendBody = z.object({ team: teamField, date: dateField }).strict();

/** A delivery that did not happen, as an HTTP status: the caller's config, the server's, or the mail server. */
const UNSENT_STATUS: Record<NonNullable<DigestDelivery['problem']>, number> = { no_recipients: 409, email_not_configured: 503, delivery_failed: 502 };

/** false after replying 404, naming the teams there are. */
function teamExists(reply: FastifyReply, teams: DigestTeams, team: string): boolean {
  if (servicesOf(teams, team).length > 0) return true;
  const known = teamNames(teams);
  const hint = known.length === 0 ? ' (no Service in the config names an owner)' : didYouMean(team, known) || ` (teams: ${known.join(', ')})`;
  void sendProblem(reply, 404, 'not_found', `no team named "${team}" owns a service${hint}`);
  return false;
}

/**
 * The daily digest on demand: the data of a team's digest (a UTC day, or the
 * last 24 hours), and sending it now. Only store and clock are needed, so
 * tests can mount it beside a running server.
 */
export function digestRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'store' | 'clock'>, teams: DigestTeams): void {
  const digestOf = (team: string, date: string | undefined) =>
    teamDigest(deps.store.db, teams, team, date === undefined ? lastDay(deps.clock.now()) : utcDay(date), prometheusFromEnv());

  app.get('/api/v1/reports/digest', async (request, reply) => {
    const parsed = digestQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    if (!teamExists(reply, teams, parsed.data.team)) return reply;
    return digestOf(parsed.data.team, parsed.data.date);
  });

  app.post('/api/v1/reports/digest/send', async (request, reply) => {
    const parsed = sendBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    if (!teamExists(reply, teams, parsed.data.team)) return reply;
    const delivery = await mailDigest(await digestOf(parsed.data.team, parsed.data.date));
    if (delivery.problem) return sendProblem(reply, UNSENT_STATUS[delivery.problem], delivery.problem, delivery.detail);
    return delivery;
  });
}
