import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { mustBeKnown } from './knownNames.js';
import { overrideCommand } from './overrideCommand.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface OncallEntry {
  schedule: string;
  team: string;
  user: string;
  layer?: string | null;
  shadowing?: string;
}

export function oncallCommand(): Command {
  const oncall = withServerOptions(
    new Command('oncall')
      .description('who is on call now, or at a given time; `oncall override` to cover for someone')
      // --schedule and --url after `override add` belong to the subcommand, not to this command.
      .enablePositionalOptions()
      .option('--team <name>')
      .option('--schedule <name>')
      .option('--at <time>', 'an ISO time, e.g. 2026-12-24T20:00:00+01:00 (default: now)')
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { team?: string; schedule?: string; at?: string; json?: boolean }) => {
    const q = new URLSearchParams();
    for (const k of ['team', 'schedule', 'at'] as const) if (flags[k]) q.set(k, flags[k]!);
    const client = apiClient(flags);
    // A team or schedule that no schedule names is a typo to point out, not "nobody is on call".
    if (flags.team || flags.schedule) {
      const { schedules } = await client.get<{ schedules: Array<{ name: string; team: string }> }>('/api/v1/schedules');
      if (flags.team) mustBeKnown('team with a schedule', flags.team, schedules.map((s) => s.team));
      if (flags.schedule) mustBeKnown('schedule', flags.schedule, schedules.map((s) => s.name));
    }
    const r = await client.get<{ at: string; oncall: OncallEntry[] }>(`/api/v1/oncall?${q}`);
    if (flags.json) return console.log(JSON.stringify(r, null, 2));
    if (r.oncall.length === 0) return console.log(`nobody is on call at ${r.at}`);
    console.log(`on call at ${r.at}`);
    console.log(formatTable(['SCHEDULE', 'TEAM', 'USER', 'AS'], r.oncall.map((e) => [e.schedule, e.team, e.user, e.shadowing ? `shadow of ${e.shadowing}` : `on call${e.layer ? ` (${e.layer})` : ' (override)'}`])));
  });
  return oncall.addCommand(overrideCommand());
}

export function schedulesCommand(): Command {
  const cmd = new Command('schedules').description('on-call schedules: list them, and their shifts over a range');
  withServerOptions(cmd.command('list').description('schedules with their layers and calendar feed URL')).action(async (flags: ServerFlags) => {
    const { schedules } = await apiClient(flags).get<{ schedules: Array<{ name: string; team: string; timeZone: string; layers: Array<{ name: string; every: string; participants: string[] }>; calendarUrl: string }> }>('/api/v1/schedules');
    if (schedules.length === 0) return console.log('no schedules');
    console.log(formatTable(['SCHEDULE', 'TEAM', 'ZONE', 'LAYERS', 'CALENDAR'], schedules.map((s) => [s.name, s.team, s.timeZone, s.layers.map((l) => `${l.name} (${l.every}: ${l.participants.join(', ')})`).join('; '), `${flags.url.replace(/\/+$/, '')}${s.calendarUrl}`])));
  });
  withServerOptions(cmd.command('shifts <name>').description('who is on call when, over a range (default: the next 14 days)').option('--from <time>').option('--to <time>')).action(
    async (name: string, flags: ServerFlags & { from?: string; to?: string }) => {
      const q = new URLSearchParams();
      if (flags.from) q.set('from', flags.from);
      if (flags.to) q.set('to', flags.to);
      const r = await apiClient(flags).get<{ timeZone: string; shifts: Array<{ start: string; end: string; users: string[]; shadows: Array<{ user: string; shadowing: string }> }> }>(`/api/v1/schedules/${encodeURIComponent(name)}/shifts?${q}`);
      console.log(formatTable(['START (UTC)', 'END (UTC)', 'ON CALL', 'SHADOWS'], r.shifts.map((s) => [s.start.slice(0, 16).replace('T', ' '), s.end.slice(0, 16).replace('T', ' '), s.users.join(', ') || 'nobody', s.shadows.map((x) => `${x.user} (of ${x.shadowing})`).join(', ') || '-'])));
    },
  );
  return cmd;
}
