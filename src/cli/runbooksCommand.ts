import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';

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
  return runbooks;
}
