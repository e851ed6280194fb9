import { Command } from 'commander';
import { formatDuration } from '../config/duration.js';
import type { AlertPareto } from '../reports/pareto.js';
import type { DurationStats, ServiceReport, TeamReport } from '../reports/teamReports.js';
import { apiClient } from './apiClient.js';
import { knownServices, mustBeKnown } from './knownNames.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

type ParetoReply = AlertPareto & { team: string | null; service: string | null; since: string; until: string };
type TeamsReply = { since: string; until: string; teams: TeamReport[] };

interface WindowFlags extends ServerFlags {
  team?: string;
  since?: string;
  until?: string;
  json?: boolean;
}

const SINCE_HELP = 'start of the window: a duration before now (7d, 24h) or an ISO time (default 7d)';
const UNTIL_HELP = 'end of the window, same forms (default now)';

const minute = (iso: string) => iso.replace('T', ' ').slice(0, 16);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const seconds = (s: number | null) => (s === null ? '-' : formatDuration(s * 1000));
const p50p90 = (d: DurationStats) => (d.count === 0 ? '-' : `${seconds(d.p50)} / ${seconds(d.p90)} (${d.count})`);

function windowQuery(flags: WindowFlags): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ['team', 'since', 'until'] as const) if (flags[k]) q.set(k, flags[k]!);
  return q;
}

function autoFixed(s: ServiceReport): string {
  if (s.autoRemediationRate === null) return '-';
  const r = s.remediations;
  const acted = r.succeeded + r.failed + r.escalated;
  // fixed without a human: not the ones a human approved first (an older server does not say)
  return `${percent(s.autoRemediationRate)} (${r.succeeded - (r.approvedByHuman ?? 0)} of ${acted})`;
}

export function reportCommand(): Command {
  const cmd = new Command('report').description('reports over a window: the alert Pareto, response times and automation per team');
  withServerOptions(
    cmd
      .command('pareto')
      .description('the most frequent alerts, titles folded into templates, with their cumulative share')
      .option('--team <team>', 'only services this team owns')
      .option('--service <name>', 'only this service')
      .option('--since <time>', SINCE_HELP)
      .option('--until <time>', UNTIL_HELP)
      .option('--limit <n>', 'how many templates', '20')
      .option('--json', 'print JSON'),
  ).action(async (flags: WindowFlags & { service?: string; limit: string }) => {
    const q = windowQuery(flags);
    if (flags.service) q.set('service', flags.service);
    q.set('limit', flags.limit);
    const client = apiClient(flags);
    const p = await client.get<ParetoReply>(`/api/v1/reports/pareto?${q}`);
    // No alerts of a service that no alert ever named and the config does not declare: a typo, not a quiet service.
    // (With --team the server already checks that the team owns the service.)
    if (p.total === 0 && flags.service && !flags.team) {
      const ever = (await client.get<{ alerts: unknown[] }>(`/api/v1/alerts?${new URLSearchParams({ service: flags.service, limit: '1' })}`)).alerts.length > 0;
      if (!ever) mustBeKnown('service', flags.service, await knownServices(client));
    }
    if (flags.json) return console.log(JSON.stringify(p, null, 2));
    const scope = [p.team && `team ${p.team}`, p.service && `service ${p.service}`].filter(Boolean).join(', ');
    console.log(`alerts fired ${minute(p.since)} to ${minute(p.until)} UTC${scope ? ` (${scope})` : ''}: ${p.total} firing(s), ${p.templates} template(s)`);
    if (p.entries.length === 0) return;
    console.log(
      formatTable(
        ['#', 'COUNT', 'SHARE', 'CUMULATIVE', 'LAST', 'SERVICES', 'TEMPLATE'],
        p.entries.map((e, i) => [String(i + 1), String(e.count), percent(e.share), percent(e.cumulativeShare), minute(e.lastSeen), e.services.join(',') || '-', e.template]),
      ),
    );
    if (p.templates > p.entries.length) console.log(`(${p.templates - p.entries.length} more template(s); raise --limit to see them)`);
  });
  withServerOptions(
    cmd
      .command('teams')
      .description('per team and service: alerts, MTTA, MTTR, auto-remediation rate and human minutes saved')
      .option('--team <team>', 'only this team')
      .option('--since <time>', SINCE_HELP)
      .option('--until <time>', UNTIL_HELP)
      .option('--json', 'print JSON'),
  ).action(async (flags: WindowFlags) => {
    const r = await apiClient(flags).get<TeamsReply>(`/api/v1/reports/teams?${windowQuery(flags)}`);
    if (flags.json) return console.log(JSON.stringify(r, null, 2));
    console.log(`${minute(r.since)} to ${minute(r.until)} UTC; MTTA and MTTR as p50 / p90 (how many)`);
    const rows = r.teams.flatMap((t) =>
      t.services.map((s) => [t.team ?? '(no team)', s.service ?? '(no service)', String(s.alerts), p50p90(s.mtta), p50p90(s.mttr), autoFixed(s), String(s.minutesSaved)]),
    );
    if (rows.length === 0) return console.log('no teams own a service');
    console.log(formatTable(['TEAM', 'SERVICE', 'ALERTS', 'MTTA', 'MTTR', 'AUTO-FIXED', 'MINUTES SAVED'], rows));
  });
  return cmd;
}
