import { userInfo } from 'node:os';
import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface Change {
  id: number;
  service: string;
  version: string | null;
  kind: string;
  summary: string;
  who: string;
  commit: string | null;
  link: string | null;
  source: string;
  at: string;
}

const time = (iso: string) => iso.replace('T', ' ').slice(0, 19);

interface RecordFlags extends ServerFlags {
  service: string;
  summary: string;
  version?: string;
  kind: string;
  commit?: string;
  link?: string;
  at?: string;
  by: string;
}

/** `prodeng change record|list`: changes on the record, which every incident's timeline shows for the hour before it. */
export function changeCommand(): Command {
  const cmd = new Command('change').description('changes on the record (deploys, config, flags): record one, list them');
  withServerOptions(
    cmd
      .command('record')
      .description('record a change to a service (who comes from your token; --by is a label without tokens)')
      .requiredOption('--service <name>', 'the configured Service that changed')
      .requiredOption('--summary <text>', 'what changed, in one line')
      .option('--version <version>', 'the version now running')
      .option('--kind <kind>', 'deploy, config, flag or other', 'deploy')
      .option('--commit <sha>', 'the commit deployed')
      .option('--link <url>', 'where to read more (the pipeline run, the pull request)')
      .option('--at <time>', 'when it happened (ISO 8601); default now')
      .option('--by <name>', 'who', userInfo().username),
  ).action(async (flags: RecordFlags) => {
    const body = JSON.parse(JSON.stringify({ service: flags.service, summary: flags.summary, version: flags.version, kind: flags.kind, commit: flags.commit, link: flags.link, at: flags.at, by: flags.by }));
    const c = await apiClient(flags).post<Change>('/api/v1/changes', body);
    console.log(`change ${c.id} recorded: ${c.service} ${c.kind}${c.version ? ` ${c.version}` : ''} at ${time(c.at)} by ${c.who}`);
  });
  withServerOptions(
    cmd
      .command('list')
      .description('changes, newest first')
      .option('--service <name>', 'only this service')
      .option('--since <time>', 'from this time (ISO 8601)')
      .option('--until <time>', 'up to this time (ISO 8601)')
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { service?: string; since?: string; until?: string; json?: boolean }) => {
    const q = new URLSearchParams(JSON.parse(JSON.stringify({ service: flags.service, since: flags.since, until: flags.until })) as Record<string, string>);
    const { changes } = await apiClient(flags).get<{ changes: Change[] }>(`/api/v1/changes${q.size ? `?${q}` : ''}`);
    if (flags.json) return console.log(JSON.stringify({ changes }, null, 2));
    if (changes.length === 0) return console.log('no changes');
    console.log(formatTable(['ID', 'AT', 'SERVICE', 'KIND', 'VERSION', 'WHO', 'SUMMARY'], changes.map((c) => [String(c.id), time(c.at), c.service, c.kind, c.version ?? '-', c.who, `${c.summary}${c.commit ? ` (${c.commit.slice(0, 12)})` : ''}`])));
  });
  return cmd;
}
