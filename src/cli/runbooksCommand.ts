import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface Explanation {
  alert: number;
  chosen: string | null;
  verdicts: Array<{ runbook: string; matches: boolean; reason: string }>;
}

export function runbooksCommand(): Command {
  const runbooks = new Command('runbooks').description('runbooks and how they match alerts');
  withServerOptions(runbooks.command('explain <alertId>').description('which runbook applies to an alert, and why the others do not').option('--json', 'print JSON')).action(
    async (alertId: string, flags: ServerFlags & { json?: boolean }) => {
      const e = await apiClient(flags).get<Explanation>(`/api/v1/alerts/${encodeURIComponent(alertId)}/runbooks`);
      if (flags.json) return console.log(JSON.stringify(e, null, 2));
      console.log(e.chosen ? `alert ${e.alert}: runbook ${e.chosen} applies` : `alert ${e.alert}: no runbook applies`);
      if (e.verdicts.length === 0) console.log('  (no runbooks are configured)');
      for (const v of e.verdicts) console.log(`  ${v.runbook === e.chosen ? '*' : v.matches ? '~' : '-'} ${v.runbook}: ${v.reason}`);
    },
  );
  withServerOptions(runbooks.command('list').description('the runbooks the server runs, whether or not one has acted yet').option('--json', 'print JSON')).action(
    async (flags: ServerFlags & { json?: boolean }) => {
      const r = await apiClient(flags).get<{ runbooks: RunbookSummary[] }>('/api/v1/runbooks');
      if (flags.json) return console.log(JSON.stringify(r, null, 2));
      if (r.runbooks.length === 0) return console.log('no runbooks');
      const mode = (b: RunbookSummary) => (b.dryRun ? 'dry run' : b.requireApproval ? 'approval' : 'acts');
      console.log(formatTable(['NAME', 'SERVICE', 'MODE', 'STEPS', 'SOURCE'], r.runbooks.map((b) => [b.name, b.service ?? '-', mode(b), b.steps.map((s) => s.name).join(', '), b.source])));
    },
  );
  return runbooks;
}

interface RunbookSummary {
  name: string;
  service: string | null;
  steps: Array<{ name: string; action: string }>;
  dryRun: boolean;
  requireApproval: boolean;
  source: string;
}
