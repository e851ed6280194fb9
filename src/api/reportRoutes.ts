import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { didYouMean } from '../config/references.js';
import { alertPareto } from '../reports/pareto.js';
import { servicesOf, teamNames, teamReports, type TeamOwnership } from '../reports/teamReports.js';
import { sloReportLines } from '../slo/sloReport.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';

/** What the report routes know about teams; ApiDeps carries no config, so the composition root passes it. */
export type ReportTeams = TeamOwnership;

const DEFAULT_SINCE_MS = 7 * 86_400_000;

/** A point in time as a person writes it: how long ago (`7d`, `24h`, `1h30m`) or an ISO 8601 time. */
type TimeSpec = { ago: number } | { at: number };

const TIME_EXPECTED = 'a duration before now such as 7d, 24h or 30m, or an ISO 8601 time such as 2026-11-21 or 2026-11-21T09:00:00Z';

// A date, or a date and time with seconds optional and a zone required.
const isoTime = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch ms, or an error message. */
function parseIsoTime(text: string): number | string {
  const m = isoTime.exec(text);
  if (!m) return `"${text}" is not ${TIME_EXPECTED}`;
  const [, year, month, day, hour, , , zone] = m;
  // Without a zone the server's would apply, which is rarely the reader's: ask for one.
  if (hour !== undefined && zone === undefined) return `"${text}" has no time zone; add Z (UTC) or an offset such as +02:00`;
  const normalised = text.toUpperCase().replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(hour === undefined ? `${normalised}T00:00:00Z` : normalised);
  // Date.parse takes February 30th for March 2nd; a date that does not read back the same is a typo.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (Number.isNaN(ms) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return `"${text}" is not a valid date and time`;
  return ms;
}

const timeSchema = z.string().transform((raw, ctx): TimeSpec => {
  const text = raw.trim();
  if (/^\d+[a-z]/i.test(text)) {
    try {
      return { ago: parseDuration(text) };
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; or give an ISO 8601 time such as 2026-11-21T09:00:00Z` });
      return z.NEVER;
    }
  }
  const parsed = parseIsoTime(text);
  if (typeof parsed === 'number') return { at: parsed };
  ctx.addIssue({ code: 'custom', message: parsed });
  return z.NEVER;
});

const teamParam = z.string().trim().min(1, 'must not be empty').optional();
const windowParams = { since: timeSchema.optional(), until: timeSchema.optional() };

const paretoQuery = z
  .object({
    team: teamParam,
    service: z.string().trim().min(1, 'must not be empty').optional(),
    ...windowParams,
    limit: z.coerce.number({ error: 'must be a whole number from 1 to 1000' }).int('must be a whole number from 1 to 1000').min(1).max(1000).default(20),
  })
  .strict();

const teamsQuery = z.object({ team: teamParam, ...windowParams }).strict();

const pointInTime = (spec: TimeSpec, now: number) => ('ago' in spec ? now - spec.ago : spec.at);

/** The window [since, until) in epoch ms, or null after replying 400. Until defaults to now, since to 7 days before now. */
function resolveWindow(reply: FastifyReply, q: { since?: TimeSpec | undefined; until?: TimeSpec | undefined }, now: number): { since: number; until: number } | null {
  const until = q.until ? pointInTime(q.until, now) : now;
  const since = q.since ? pointInTime(q.since, now) : now - DEFAULT_SINCE_MS;
  if (since < until) return { since, until };
  const message = `must be before until (${new Date(since).toISOString()} is not before ${new Date(until).toISOString()})`;
  void sendProblem(reply, 400, 'invalid_request', `since: ${message}`, [{ field: 'since', message }]);
  return null;
}

/** The team's services, or null after replying 404 naming the team. */
function teamServices(reply: FastifyReply, teams: ReportTeams, team: string): string[] | null {
  const services = servicesOf(teams, team);
  if (services.length > 0) return services;
  const known = teamNames(teams);
  const hint = known.length === 0 ? ' (no Service in the config names an owner)' : didYouMean(team, known) || ` (teams: ${known.join(', ')})`;
  void sendProblem(reply, 404, 'not_found', `no team named "${team}" owns a service${hint}`);
  return null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Reports over a window: the alert Pareto and per-team response times and automation. */
export function reportRoutes(app: FastifyInstance, deps: ApiDeps, teams: ReportTeams): void {
  app.get('/api/v1/reports/pareto', async (request, reply) => {
    const parsed = paretoQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const q = parsed.data;
    const window = resolveWindow(reply, q, deps.clock.now());
    if (!window) return reply;
    let services: string[] | undefined;
    if (q.team !== undefined) {
      const owned = teamServices(reply, teams, q.team);
      if (!owned) return reply;
      if (q.service !== undefined && !owned.includes(q.service)) {
        const owner = teams.serviceOwners.get(q.service);
        const message = `${owner ? `is owned by team ${owner}` : 'is no service of a team'}, not ${q.team} (its services: ${owned.join(', ')})`;
        return sendProblem(reply, 400, 'invalid_request', `service: "${q.service}" ${message}`, [{ field: 'service', message }]);
      }
      services = q.service !== undefined ? [q.service] : owned;
    } else if (q.service !== undefined) services = [q.service];
    const pareto = await alertPareto(deps.store.db, { since: window.since, until: window.until, services, limit: q.limit });
    return { team: q.team ?? null, service: q.service ?? null, since: iso(window.since), until: iso(window.until), ...pareto };
  });

  app.get('/api/v1/reports/teams', async (request, reply) => {
    const parsed = teamsQuery.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const q = parsed.data;
    const window = resolveWindow(reply, q, deps.clock.now());
    if (!window) return reply;
    if (q.team !== undefined && !teamServices(reply, teams, q.team)) return reply;
    const report = await teamReports(deps.store.db, teams, { since: window.since, until: window.until, team: q.team });
    // Each team's SLOs over the same window, beside their budget now.
    const withSlos = await Promise.all(
      report.map(async (t) => ({ ...t, slos: await sloReportLines(deps.store.db, deps.slos.filter((s) => t.team !== null && teams.serviceOwners.get(s.spec.service) === t.team), window.since, window.until) })),
    );
    return { since: iso(window.since), until: iso(window.until), teams: withSlos };
  });
}
