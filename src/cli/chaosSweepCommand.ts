import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { holdRunLease } from './runLease.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatExperimentProblem, loadExperiment, type Experiment } from '../chaos/experiment/index.js';
import { runSweep, sweepFaults, SweepError, type SweepResult } from '../chaos/sweep/runSweep.js';
import { sampleSteadyState, type Hypothesis } from '../chaos/sweep/steadyStateSample.js';
import type { KnownEdge } from '../chaos/sweep/sweepPlan.js';
import { edgeDrift } from '../chaos/sweep/classifyEdge.js';
import { describeSloCost, sloCosts, type SloEvents } from '../chaos/sweep/sloCost.js';

interface SweepFlags extends ServerFlags {
  service: string;
  hypothesis?: string;
  latency: string;
  samples: string;
  json?: boolean;
}

/** The config key the sweep sets to the service's address; a hypothesis file names it in its configuration. */
const SERVICE_URL_ENV = 'PRODENG_SWEEP_URL';

/** With no hypothesis file: the service's page answers 200 within 2 s. */
function defaultHypothesis(service: string): { hypothesis: Hypothesis; configuration: Experiment['configuration'] } {
  return {
    hypothesis: { title: `${service} answers GET /`, probes: [{ type: 'probe', name: 'page', tolerance: 200, provider: { type: 'http', url: '${service_url}/', timeout: 2 } }] } as Hypothesis,
    configuration: { service_url: { type: 'env', key: SERVICE_URL_ENV } } as Experiment['configuration'],
  };
}

/** A hypothesis file is a Chaos Toolkit experiment; its first env configuration key is pointed at the service. */
async function hypothesisFrom(file: string): Promise<{ hypothesis: Hypothesis; configuration: Experiment['configuration']; urlKey: string | undefined }> {
  const loaded = loadExperiment(await readFile(file, 'utf8'), file);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatExperimentProblem).join('\n'));
  const hypothesis = loaded.experiment['steady-state-hypothesis'];
  if (!hypothesis?.probes?.length) throw new Error(`${file}: steady-state-hypothesis: has no probes; a sweep needs something to watch`);
  const envKey = Object.values(loaded.experiment.configuration ?? {}).find((v): v is { type: 'env'; key: string } => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'env');
  return { hypothesis, configuration: loaded.experiment.configuration, urlKey: envKey?.key };
}

/**
 * `prodeng chaos sweep --service frontend`: every dependency edge under
 * the service (declared or seen by discovery) blackholed, slowed and made
 * to fail in turn, each reverted before the next, while the service's
 * steady state is watched from here; prodeng holds every fault on the
 * sweep's lease (kill this command and the server reverts them) and keeps
 * the verdicts.
 */
export function addSweepCommand(chaos: Command): void {
  withServerOptions(
    chaos
      .command('sweep')
      .description('find the critical path: break each dependency edge under a service (blackhole, latency, errors) and watch its steady state')
      .requiredOption('--service <name>', 'the service whose dependencies to break, e.g. frontend')
      .option('--hypothesis <file>', "a Chaos Toolkit experiment whose steady-state-hypothesis is the service's steady state (default: its GET / answers 200)")
      .option('--latency <ms>', 'latency added in the latency fault', '500')
      .option('--samples <n>', 'steady-state samples per fault (a majority decides)', '3')
      .option('--json', 'print the result as JSON'),
  ).action(async (flags: SweepFlags) => {
    const api = apiClient(flags);
    const { hypothesis, configuration, urlKey } = flags.hypothesis ? await hypothesisFrom(flags.hypothesis) : { ...defaultHypothesis(flags.service), urlKey: SERVICE_URL_ENV };
    const { endpoints } = await api.get<{ endpoints: Array<{ host: string; address: string }> }>(`/api/v1/services/${encodeURIComponent(flags.service)}/endpoints`);
    if (endpoints.length === 0) throw new Error(`${flags.service} has no endpoint in service: nothing to watch`);
    const env = { ...process.env, ...(urlKey ? { [urlKey]: `http://${endpoints[0]!.address}` } : {}) };

    // The service's SLOs, read before and after: what the sweep cost them is part of what it found.
    const sloEvents = async (): Promise<SloEvents[]> => {
      const { slos } = await api.get<{ slos: Array<{ name: string; service: string }> }>('/api/v1/slos').catch(() => ({ slos: [] }));
      const mine = slos.filter((x) => x.service === flags.service);
      const out: SloEvents[] = [];
      for (const slo of mine) {
        const status = await api.get<{ events?: { bad: number; allowedBad: number } }>(`/api/v1/slos/${encodeURIComponent(slo.name)}`).catch(() => null);
        if (status?.events) out.push({ name: slo.name, bad: status.events.bad, allowedBad: status.events.allowedBad });
      }
      return out;
    };
    const slosBefore = await sloEvents();
    let sweep: { id: number; renewEveryMs: number; edges: KnownEdge[] };
    try {
      sweep = await api.post('/api/v1/chaos/sweeps', { service: flags.service });
    } catch (err) {
      console.error(`the sweep was refused: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    if (!flags.json) console.log(`chaos sweep ${sweep.id}: ${sweep.edges.length} edge(s) under ${flags.service}, watching "${hypothesis.title}" on ${endpoints[0]!.host}`);
    const lease = holdRunLease(api, sweep.id, sweep.renewEveryMs);
    const stop = { signal: lease.signal };
    let result: SweepResult | undefined;
    let failure: SweepError | Error | undefined;
    try {
      result = await runSweep(
        sweep.edges,
        {
          inject: (edge, fault) => api.post<{ id: number }>('/api/v1/chaos/faults', { runId: sweep.id, kind: 'edge', target: { from: edge.caller, to: edge.callee, name: `sweep_${fault.name}`, ...fault.toxic } }),
          revert: async (id) => void (await api.delete(`/api/v1/chaos/faults/${id}`)),
          sample: () => sampleSteadyState(hypothesis, { configuration, env, signal: stop.signal }),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          progress: flags.json ? undefined : (line) => console.log(`  ${line}`),
          signal: stop.signal,
        },
        { faults: sweepFaults({ latencyMs: Number(flags.latency) }), samples: Number(flags.samples) },
      );
    } catch (err) {
      failure = err as Error;
    } finally {
      lease.release();
    }
    // Callers count their traffic into SLOs every few seconds: wait for the last of it.
    if (slosBefore.length > 0) await new Promise((r) => setTimeout(r, 6000));
    const slos = sloCosts(slosBefore, await sloEvents());
    const findings = result?.findings ?? (failure instanceof SweepError ? failure.partial : []);
    const status = result ? 'completed' : failure instanceof SweepError && failure.code === 'interrupted' ? 'interrupted' : 'failed';
    await api.put(`/api/v1/chaos/sweeps/${sweep.id}`, { status, findings, skipped: result?.skipped ?? [], durationMs: result?.durationMs ?? 0, slos, ...(failure ? { error: failure.message } : {}) });
    if (flags.json) {
      console.log(JSON.stringify({ id: sweep.id, status, findings, skipped: result?.skipped ?? [], durationMs: result?.durationMs ?? null, slos, error: failure?.message }, null, 2));
    } else {
      printSummary(findings, sweep.edges);
      for (const c of slos) console.log(describeSloCost(c));
      if (failure) console.error(`the sweep stopped: ${failure.message}`);
      else console.log(`swept ${findings.length} edge(s) in ${(result!.durationMs / 1000).toFixed(1)} s`);
    }
    process.exitCode = result ? 0 : 1;
  });
}

function printSummary(findings: SweepResult['findings'], plan: readonly KnownEdge[]): void {
  const width = Math.max(10, ...findings.map((f) => `${f.caller} -> ${f.callee}`.length));
  console.log(`${'edge'.padEnd(width)}  ${'declared'.padEnd(9)}  verdict`);
  for (const f of findings) {
    const observed = plan.find((e) => e.caller === f.caller && e.callee === f.callee)?.observed ?? true;
    const drift = edgeDrift(f.verdict, f.declared, observed);
    console.log(`${`${f.caller} -> ${f.callee}`.padEnd(width)}  ${(f.declared ?? '-').padEnd(9)}  ${f.verdict.replace('_', ' ')}${drift ? `  DRIFT: ${drift}` : ''}`);
  }
}
