import { userInfo } from 'node:os';
import { Command } from 'commander';
import type { RemediationView } from '../remediation/queries.js';
import type { AutomationState } from '../remediation/automationSwitch.js';
import type { PlanPreview } from '../remediation/preview.js';
import { apiClient } from './apiClient.js';
import { knownServices, mustBeKnown } from './knownNames.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

export function remediationCommand(): Command {
  const cmd = new Command('remediation').description('auto-remediation: list, show, pause and resume');
  withServerOptions(
    cmd
      .command('list')
      .description('remediations, newest first')
      .option('--status <status>', 'pending, running, verifying, succeeded, failed, escalated, skipped (comma-separated)')
      .option('--runbook <name>')
      .option('--service <name>')
      .option('--target <target>')
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { status?: string; runbook?: string; service?: string; target?: string; json?: boolean }) => {
    const q = new URLSearchParams();
    for (const k of ['status', 'runbook', 'service', 'target'] as const) if (flags[k]) q.set(k, flags[k]!);
    const client = apiClient(flags);
    const { remediations } = await client.get<{ remediations: RemediationView[] }>(`/api/v1/remediations?${q}`);
    // Nothing found: a runbook the config does not declare, or a service nothing names, is more likely a typo than a quiet week.
    if (remediations.length === 0 && (flags.runbook || flags.service)) {
      const any = async (k: 'runbook' | 'service', v: string) => (await client.get<{ remediations: RemediationView[] }>(`/api/v1/remediations?${new URLSearchParams({ [k]: v, limit: '1' })}`)).remediations.length > 0;
      const newest = async () => (await client.get<{ remediations: RemediationView[] }>('/api/v1/remediations?limit=1000')).remediations;
      if (flags.runbook && !(await any('runbook', flags.runbook))) {
        const { runbooks } = await client.get<{ runbooks: Array<{ name: string }> }>('/api/v1/runbooks');
        // a runbook removed from the config still names its old remediations
        mustBeKnown('runbook', flags.runbook, [...runbooks.map((r) => r.name), ...(await newest()).map((r) => r.runbook)]);
      }
      if (flags.service && !(await any('service', flags.service))) mustBeKnown('service', flags.service, await knownServices(client, (await newest()).map((r) => r.service)));
    }
    if (flags.json) return console.log(JSON.stringify({ remediations }, null, 2));
    if (remediations.length === 0) return console.log('no remediations');
    console.log(formatTable(['ID', 'STATUS', 'RUNBOOK', 'TARGET', 'ALERTS', 'REASON'], remediations.map((r) => [String(r.id), r.status, r.runbook, r.target || '-', r.alertIds.join(','), r.reason])));
  });
  withServerOptions(cmd.command('show <id>').description('a remediation with its plan and timeline')).action(async (id: string, flags: ServerFlags) => {
    const r = await apiClient(flags).get<RemediationView & { timeline: Array<{ at: string; kind: string; message: string }> }>(`/api/v1/remediations/${encodeURIComponent(id)}`);
    console.log(`remediation ${r.id}: ${r.runbook} on ${r.target || '(no target)'}: ${r.status} (${r.reason})`);
    for (const t of r.timeline) console.log(`  ${t.at.replace('T', ' ').slice(0, 19)}  ${t.kind.padEnd(19)} ${t.message}`);
  });
  withServerOptions(cmd.command('plan <alertId>').description('what automation would do about an alert: runbook, rendered steps, every gate\'s verdict; acts on nothing').option('--json', 'print JSON')).action(
    async (alertId: string, flags: ServerFlags & { json?: boolean }) => {
      const p = await apiClient(flags).get<PlanPreview>(`/api/v1/alerts/${encodeURIComponent(alertId)}/plan`);
      if (flags.json) return console.log(JSON.stringify(p, null, 2));
      if (!p.runbook) return console.log(`alert ${p.alert}: no runbook applies`);
      console.log(`alert ${p.alert}: runbook ${p.runbook}${p.plan ? ` on ${p.plan.target}` : ''}${p.dryRun ? ' (dry run)' : ''}${p.automationPaused ? ' (automation is paused)' : ''}`);
      if (p.refused) return console.log(`  would not act: ${p.refused}`);
      for (const s of p.plan!.steps) console.log(`  step ${s.name} [${s.risk}]: ${s.action} ${JSON.stringify(s.params)}`);
      p.plan!.onFailure.forEach((s, i) => console.log(`  on failure ${i + 1}: ${s.name} [${s.risk}]: ${s.action} ${JSON.stringify(s.params)}`));
      for (const g of p.gates) console.log(`  gate ${g.gate}: ${g.verdict} (${g.reason})`);
      if (p.gates.length === 0) console.log('  no gates configured');
    },
  );
  for (const decision of ['approve', 'reject'] as const) {
    withServerOptions(
      cmd
        .command(`${decision} <id>`)
        .description(`${decision} a remediation that awaits approval`)
        .requiredOption('--reason <text>', 'why')
        .option('--by <name>', 'who', userInfo().username),
    ).action(async (id: string, flags: ServerFlags & { reason: string; by: string }) => {
      const r = await apiClient(flags).post<RemediationView>(`/api/v1/remediations/${encodeURIComponent(id)}/${decision}`, { by: flags.by, reason: flags.reason });
      console.log(`remediation ${r.id}: ${r.status} (${r.reason})`);
    });
  }
  for (const action of ['pause', 'resume'] as const) {
    withServerOptions(
      cmd
        .command(action)
        .description(action === 'pause' ? 'kill switch: stop all automation from acting (everything is recorded as skipped)' : 'let automation act again')
        .requiredOption('--reason <text>', 'why')
        .option('--by <name>', 'who', userInfo().username),
    ).action(async (flags: ServerFlags & { reason: string; by: string }) => {
      const state = await apiClient(flags).post<AutomationState>(`/api/v1/automation/${action}`, { by: flags.by, reason: flags.reason });
      console.log(state.paused ? `automation paused by ${state.changedBy}: ${state.reason}` : `automation running (resumed by ${state.changedBy}: ${state.reason})`);
    });
  }
  return cmd;
}
