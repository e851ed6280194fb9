import { userInfo } from 'node:os';
import { Command } from 'commander';
import type { Silence } from '../intake/silences.js';
import { formatMatcher } from '../intake/matchers.js';
import { apiClient } from './apiClient.js';
import { mustBeKnown } from './knownNames.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

export function silenceCommand(): Command {
  const silence = new Command('silence').description('mute alerts that match label matchers');
  withServerOptions(
    silence
      .command('add <matchers...>')
      .description('add a silence, e.g. prodeng silence add alertname=WebDown instance=~"web-.*" --duration 2h --comment "deploy"')
      .option('--duration <duration>', 'how long (30m, 2h, 1d)', '1h')
      .option('--start <time>', 'RFC 3339 start (default now)')
      .option('--end <time>', 'RFC 3339 end (instead of --duration)')
      .requiredOption('--comment <text>', 'why')
      .option('--author <name>', 'who', userInfo().username),
  ).action(async (matchers: string[], flags: ServerFlags & { duration: string; start?: string; end?: string; comment: string; author: string }) => {
    const body: Record<string, unknown> = { matchers, createdBy: flags.author, comment: flags.comment };
    if (flags.start) body.startsAt = flags.start;
    if (flags.end) body.endsAt = flags.end;
    else body.duration = flags.duration;
    const reply = await apiClient(flags).post<{ silenceID: string }>('/api/v1/silences', body);
    console.log(reply.silenceID);
  });
  withServerOptions(
    silence.command('list').description('silences, newest first').option('--state <state>', 'active, pending or expired').option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { state?: string; json?: boolean }) => {
    if (flags.state) mustBeKnown('silence state', flags.state, ['active', 'pending', 'expired']);
    const q = flags.state ? `?state=${encodeURIComponent(flags.state)}` : '';
    const { silences } = await apiClient(flags).get<{ silences: Silence[] }>(`/api/v1/silences${q}`);
    if (flags.json) return console.log(JSON.stringify({ silences }, null, 2));
    if (silences.length === 0) return console.log('no silences');
    console.log(
      formatTable(
        ['ID', 'STATE', 'ENDS', 'CREATED BY', 'MATCHERS', 'COMMENT'],
        silences.map((s) => [s.id, s.status.state, s.endsAt.replace('T', ' ').slice(0, 19), s.createdBy, s.matchers.map(formatMatcher).join(','), s.comment]),
      ),
    );
  });
  withServerOptions(silence.command('expire <ids...>').description('end silences now')).action(async (ids: string[], flags: ServerFlags) => {
    const client = apiClient(flags);
    for (const id of ids) {
      const reply = await client.delete<{ status: string }>(`/api/v1/silences/${encodeURIComponent(id)}`);
      console.log(`${id} ${reply.status}`);
    }
  });
  return silence;
}
