import { userInfo } from 'node:os';
import { Command } from 'commander';
import type { OverrideView } from '../api/overrideViews.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

const overridesPath = (schedule: string) => `/api/v1/schedules/${encodeURIComponent(schedule)}/overrides`;
const shortTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** `prodeng oncall override add|list|cancel`: someone covers for someone else for a while. */
export function overrideCommand(): Command {
  const cmd = new Command('override').description('cover for someone on call: add, list and cancel overrides of a schedule');
  withServerOptions(
    cmd
      .command('add')
      .description('put --user on call from --from to --to, instead of --replaces (or alongside whoever is on call)')
      .requiredOption('--schedule <name>')
      .requiredOption('--user <name>', 'who is on call instead')
      .option('--replaces <name>', 'whom they cover for (default: on call as well)')
      .requiredOption('--from <time>', 'ISO time with a zone, e.g. 2026-12-24T18:00:00+01:00')
      .requiredOption('--to <time>', 'ISO time with a zone')
      .option('--reason <text>')
      .option('--by <name>', 'who adds it', userInfo().username)
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { schedule: string; user: string; replaces?: string; from: string; to: string; reason?: string; by: string; json?: boolean }) => {
    const body = { user: flags.user, from: flags.from, to: flags.to, by: flags.by, ...(flags.replaces ? { replaces: flags.replaces } : {}), ...(flags.reason ? { reason: flags.reason } : {}) };
    const o = await apiClient(flags).post<OverrideView>(overridesPath(flags.schedule), body);
    if (flags.json) return console.log(JSON.stringify(o, null, 2));
    console.log(`override ${o.id}: ${o.user} on call in ${o.schedule}${o.replaces ? ` instead of ${o.replaces}` : ''} from ${o.from} to ${o.to}`);
  });
  withServerOptions(
    cmd
      .command('list')
      .description("a schedule's overrides (from config and added here) that have not ended")
      .requiredOption('--schedule <name>')
      .option('--from <time>', 'ISO time with a zone (default now)')
      .option('--to <time>', 'ISO time with a zone')
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { schedule: string; from?: string; to?: string; json?: boolean }) => {
    const q = new URLSearchParams();
    if (flags.from) q.set('from', flags.from);
    if (flags.to) q.set('to', flags.to);
    const r = await apiClient(flags).get<{ schedule: string; overrides: OverrideView[] }>(`${overridesPath(flags.schedule)}?${q}`);
    if (flags.json) return console.log(JSON.stringify(r, null, 2));
    if (r.overrides.length === 0) return console.log(`no overrides in ${r.schedule}`);
    console.log(
      formatTable(
        ['ID', 'FROM (UTC)', 'TO (UTC)', 'ON CALL', 'INSTEAD OF', 'BY', 'REASON'],
        r.overrides.map((o) => [o.id === null ? 'config' : String(o.id), shortTime(o.from), shortTime(o.to), o.user ?? 'nobody', o.replaces ?? '-', o.createdBy ?? '-', o.reason ?? '']),
      ),
    );
  });
  withServerOptions(
    cmd.command('cancel <id>').description('cancel an override added through the API (config ones are changed in the config)').requiredOption('--schedule <name>').option('--by <name>', 'who cancels it', userInfo().username),
  ).action(async (id: string, flags: ServerFlags & { schedule: string; by: string }) => {
    await apiClient(flags).delete(`${overridesPath(flags.schedule)}/${encodeURIComponent(id)}?by=${encodeURIComponent(flags.by)}`);
    console.log(`override ${id} cancelled`);
  });
  return cmd;
}
