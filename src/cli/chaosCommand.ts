import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { holdRunLease } from './runLease.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { addSweepCommand } from './chaosSweepCommand.js';
import { serviceUrlKey } from '../chaos/serviceUrlEnv.js';
import { formatExperimentProblem, journalExitCode, loadExperiment, prodengExtension, runExperiment, type Journal } from '../chaos/experiment/index.js';
import { chaosRegistry } from '../chaos/faultRegistry.js';
import { chaosStartCommand, chaosReportCommand } from './chaosServerRunCommands.js';

/**
 * `prodeng chaos run FILE`: runs a Chaos Toolkit experiment here, as
 * `chaos run` does (its http and process activities run on this machine),
 * while prodeng admits the run, keeps the journal, and holds every fault
 * it injects on a lease this command renews: kill this command and the
 * server reverts them.
 */
export function chaosCommand(): Command {
  const chaos = new Command('chaos').description('chaos experiments: run a Chaos Toolkit experiment against prodeng, list runs');
  withServerOptions(
    chaos
      .command('run <file>')
      .description('run a Chaos Toolkit experiment (JSON or YAML); exits non-zero when it did not complete or deviated')
      .option('--journal-path <path>', 'where to write the journal', './journal.json'),
  ).action(async (file: string, flags: ServerFlags & { journalPath: string }) => {
    const loaded = loadExperiment(await readFile(file, 'utf8'), file);
    for (const w of loaded.warnings) console.error(`warning: ${formatExperimentProblem(w)}`);
    if (!loaded.ok) {
      for (const e of loaded.errors) console.error(formatExperimentProblem(e));
      process.exitCode = 1;
      return;
    }
    const experiment = loaded.experiment;
    const api = apiClient(flags);
    let run: { id: number; renewEveryMs: number };
    try {
      run = await api.post('/api/v1/chaos/runs', { title: experiment.title, ...prodengExtension(experiment.extensions) });
    } catch (err) {
      console.error(`the run was refused: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    console.log(`chaos run ${run.id}: ${experiment.title}`);
    const lease = holdRunLease(api, run.id, run.renewEveryMs);
    const stop = { signal: lease.signal };
    // Faults go through the server's API, so the server records, leases and (if this process dies) reverts them.
    const registry = chaosRegistry({
      inject: (kind, target) => api.post<{ id: number; target: Record<string, unknown>; effect: unknown }>('/api/v1/chaos/faults', { runId: run.id, kind, target }),
      revert: async (id) => void (await api.delete(`/api/v1/chaos/faults/${id}`)),
    });
    let journal: Journal;
    try {
      // Each service's address as the server lists it (PRODENG_SERVICE_<NAME>_URL), under what this shell sets.
      const { hosts } = await api.get<{ hosts: Array<{ service: string | null; address: string | null }> }>('/api/v1/hosts?state=in_service').catch(() => ({ hosts: [] }));
      const serviceEnv: Record<string, string> = {};
      for (const h of hosts) if (h.service && h.address) serviceEnv[serviceUrlKey(h.service)] ??= `http://${h.address}`;
      journal = await runExperiment(experiment, { registry, signal: stop.signal, env: { ...serviceEnv, ...process.env } });
    } finally {
      lease.release();
    }
    await writeFile(flags.journalPath, JSON.stringify(journal, null, 2));
    await api.put(`/api/v1/chaos/runs/${run.id}/journal`, { journal });
    console.log(`${journal.status}${journal.deviated ? ', deviated' : ''}; journal in ${flags.journalPath}`);
    process.exitCode = journalExitCode(journal);
  });
  addSweepCommand(chaos);
  withServerOptions(chaos.command('runs').description('chaos runs, newest first').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const { runs } = await apiClient(flags).get<{ runs: Array<{ id: number; title: string; service: string | null; status: string; deviated: boolean; startedBy: string; startedAt: string }> }>('/api/v1/chaos/runs');
    if (flags.json) return console.log(JSON.stringify({ runs }, null, 2));
    if (runs.length === 0) return console.log('no chaos runs');
    for (const r of runs) console.log(`${r.id}  ${r.startedAt.slice(0, 19).replace('T', ' ')}  ${r.status}${r.deviated ? ' (deviated)' : ''}  ${r.service ?? '-'}  ${r.title}  by ${r.startedBy}`);
  });
  chaos.addCommand(chaosStartCommand());
  chaos.addCommand(chaosReportCommand());
  return chaos;
}
