import { userInfo } from 'node:os';
import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface IncidentSummary {
  id: number;
  title: string;
  status: string;
  urgency: 'high' | 'low';
  service: string | null;
  team: string | null;
  acknowledgedBy: string | null;
  createdAt: string;
}

interface IncidentDetail extends IncidentSummary {
  timeline: Array<{ at: string; source: string; kind: string; actor: string | null; message: string }>;
}

function printIncident(i: IncidentDetail): void {
  console.log(`incident ${i.id}: ${i.title}`);
  console.log(`  ${i.status}${i.urgency === 'low' ? ', low urgency (a ticket: nobody is paged)' : ''}${i.acknowledgedBy ? ` (acknowledged by ${i.acknowledgedBy})` : ''}; service ${i.service ?? '-'}, team ${i.team ?? '-'}`);
  for (const t of i.timeline) console.log(`  ${t.at.replace('T', ' ').slice(0, 19)}  ${`${t.source}:${t.kind}`.padEnd(30)} ${t.message}`);
}

export function incidentsCommand(): Command {
  const cmd = new Command('incidents').description('incidents: list, the whole story, acknowledge, resolve, notes, postmortem draft');
  withServerOptions(cmd.command('list').description('incidents, newest first').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const { incidents } = await apiClient(flags).get<{ incidents: IncidentSummary[] }>('/api/v1/incidents');
    if (flags.json) return console.log(JSON.stringify({ incidents }, null, 2));
    if (incidents.length === 0) return console.log('no incidents');
    console.log(formatTable(['ID', 'STATUS', 'SERVICE', 'TEAM', 'OPENED', 'TITLE'], incidents.map((i) => [String(i.id), i.urgency === 'low' ? `${i.status} (ticket)` : i.status, i.service ?? '-', i.team ?? '-', i.createdAt.slice(0, 19).replace('T', ' '), i.title])));
  });
  withServerOptions(cmd.command('show <id>').description('an incident with its whole timeline')).action(async (id: string, flags: ServerFlags) => {
    printIncident(await apiClient(flags).get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`));
  });
  withServerOptions(cmd.command('ack <id>').description('acknowledge: you have it; escalation stops').option('--by <name>', 'who', userInfo().username)).action(async (id: string, flags: ServerFlags & { by: string }) => {
    printIncident(await apiClient(flags).post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/ack`, { by: flags.by }));
  });
  withServerOptions(cmd.command('resolve <id>').description('resolve the incident and its alerts').option('--note <text>', 'what fixed it').option('--by <name>', 'who', userInfo().username)).action(
    async (id: string, flags: ServerFlags & { by: string; note?: string }) => {
      printIncident(await apiClient(flags).post<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}/resolve`, JSON.parse(JSON.stringify({ by: flags.by, note: flags.note }))));
    },
  );
  withServerOptions(cmd.command('note <id>').description('add a note to the timeline (shadows too)').requiredOption('--text <text>').option('--by <name>', 'who', userInfo().username)).action(
    async (id: string, flags: ServerFlags & { by: string; text: string }) => {
      await apiClient(flags).post(`/api/v1/incidents/${encodeURIComponent(id)}/notes`, { by: flags.by, text: flags.text });
      console.log(`note added to incident ${id}`);
    },
  );
  withServerOptions(cmd.command('postmortem <id>').description('a postmortem draft in Markdown from the timeline')).action(async (id: string, flags: ServerFlags) => {
    // A missing incident is an error in words ("no incident 42") and exit 1, as for every other command.
    process.stdout.write(await apiClient(flags).getText(`/api/v1/incidents/${encodeURIComponent(id)}/postmortem`));
  });
  return cmd;
}
