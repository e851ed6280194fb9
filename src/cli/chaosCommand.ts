import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { apiClient, ApiError } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatExperimentProblem, journalExitCode, loadExperiment, runExperiment, type Journal, type ProdengFunction } from '../chaos/experiment/index.js';

/** What an experiment says of itself for prodeng: `extensions: [{ name: prodeng, service, blastRadius, maxBlastRadius, page }]`, Chaos Toolkit's place for such things. */
function prodengExtension(extensions: unknown[] | undefined): { service?: string; blastRadius?: number; maxBlastRadius?: number; page?: boolean } {
  const ext = (extensions ?? []).find((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'prodeng');
  if (!ext) return {};
  return {
    ...(typeof ext.service === 'string' ? { service: ext.service } : {}),
    ...(typeof ext.blastRadius === 'number' ? { blastRadius: ext.blastRadius } : {}),
    ...(typeof ext.maxBlastRadius === 'number' ? { maxBlastRadius: ext.maxBlastRadius } : {}),
    ...(typeof ext.page === 'boolean' ? { page: ext.page } : {}),
  };
}

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
    const stop = new AbortController();
    const onSignal = () => stop.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const renewal = setInterval(() => {
      api.post(`/api/v1/chaos/runs/${run.id}/lease`, {}).catch((err: unknown) => {
        // The server ended the run (its lease ran out, its faults are reverted): stop too.
        if (err instanceof ApiError && err.status === 409) stop.abort(new Error(err.message));
      });
    }, run.renewEveryMs);
    const injected: Array<{ id: number; kind: string; target: Record<string, unknown> }> = [];
    const revert = async (pick: (f: (typeof injected)[number]) => boolean) => {
      const gone = injected.filter(pick);
      for (const f of gone) await api.delete(`/api/v1/chaos/faults/${f.id}`);
      injected.splice(0, injected.length, ...injected.filter((f) => !gone.includes(f)));
      return { reverted: gone.map((f) => f.id) };
    };
    const registry: Record<string, ProdengFunction> = {
      // A lab host broken through prodeng, held on the run's lease.
      'lab.break': async (args) => {
        const fault = await api.post<{ id: number; target: Record<string, unknown>; effect: unknown }>('/api/v1/chaos/faults', { runId: run.id, kind: 'lab-fault', target: args });
        injected.push({ id: fault.id, kind: 'lab-fault', target: fault.target });
        return fault;
      },
      'lab.heal': (args) => revert((f) => f.kind === 'lab-fault' && (args.service === undefined || f.target.service === args.service)),
      // A toxic on one of prodeng's fault proxies (Toxiproxy's types, plus blackhole and http_error), on the run's lease.
      'proxy.add_toxic': async (args) => {
        const fault = await api.post<{ id: number; target: Record<string, unknown>; effect: unknown }>('/api/v1/chaos/faults', { runId: run.id, kind: 'toxic', target: args });
        injected.push({ id: fault.id, kind: 'toxic', target: fault.target });
        return fault;
      },
      'proxy.remove_toxic': (args) => revert((f) => f.kind === 'toxic' && (args.proxy === undefined || f.target.proxy === args.proxy) && (args.name === undefined || f.target.name === args.name)),
      'chaos.revert_all': () => revert(() => true),
    };
    let journal: Journal;
    try {
      journal = await runExperiment(experiment, { registry, signal: stop.signal });
    } finally {
      clearInterval(renewal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await writeFile(flags.journalPath, JSON.stringify(journal, null, 2));
    await api.put(`/api/v1/chaos/runs/${run.id}/journal`, { journal });
    console.log(`${journal.status}${journal.deviated ? ', deviated' : ''}; journal in ${flags.journalPath}`);
    process.exitCode = journalExitCode(journal);
  });
  withServerOptions(chaos.command('runs').description('chaos runs, newest first').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const { runs } = await apiClient(flags).get<{ runs: Array<{ id: number; title: string; service: string | null; status: string; deviated: boolean; startedBy: string; startedAt: string }> }>('/api/v1/chaos/runs');
    if (flags.json) return console.log(JSON.stringify({ runs }, null, 2));
    if (runs.length === 0) return console.log('no chaos runs');
    for (const r of runs) console.log(`${r.id}  ${r.startedAt.slice(0, 19).replace('T', ' ')}  ${r.status}${r.deviated ? ' (deviated)' : ''}  ${r.service ?? '-'}  ${r.title}  by ${r.startedBy}`);
  });
  return chaos;
}
