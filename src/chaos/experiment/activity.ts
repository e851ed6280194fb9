import { pythonIsoTime, type RunRecord, type SteadyState } from './journal.js';
import { ActivityFailed, runProvider, type ProdengRegistry, type ProviderContext } from './providers/index.js';
import { pyTruthy } from './pyValues.js';
import { isRef, type Activity, type ActivityDefinition, type Experiment, type ProbeTolerance } from './schema.js';
import { substitute, type Lookup } from './substitute.js';
import { withinTolerance } from './tolerance.js';
import type { ResolvedValues } from './values.js';

export type Phase = 'hypothesis-before' | 'hypothesis-during' | 'hypothesis-after' | 'method' | 'rollbacks';

/** What running activities needs, for one run of one experiment. */
export interface ActivityRuntime {
  experiment: Experiment;
  values: ResolvedValues;
  lookup: Lookup;
  registry: ProdengRegistry;
  now(): number;
  /** resolves after ms, or as soon as signal aborts */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  onRecord(phase: Phase, run: RunRecord): void;
}

/** Every activity with a name, as chaoslib's lookup_activity finds a ref's target. */
export function namedActivities(experiment: Experiment): Map<string, ActivityDefinition> {
  const byName = new Map<string, ActivityDefinition>();
  const add = (list: Activity[] | undefined) => list?.forEach((a) => !isRef(a) && byName.set(a.name, a));
  add(experiment['steady-state-hypothesis']?.probes);
  add(experiment.method);
  add(experiment.rollbacks);
  return byName;
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function providerContext(activity: ActivityDefinition, rt: ActivityRuntime, signal: AbortSignal, value?: ProviderContext['value']): ProviderContext {
  return {
    activity: activity.name,
    lookup: rt.lookup,
    values: rt.values,
    registry: rt.registry,
    signal,
    ...(value ? { value } : {}),
    names: {
      secrets: [...new Set([...asList(activity.secrets), ...asList(activity.provider.secrets)])],
      configuration: [...new Set([...asList(activity.configuration), ...asList(activity.provider.configuration)])],
    },
  };
}

/** Python's traceback.format_exception without a traceback: one line naming the error. */
export function exceptionLines(err: unknown): string[] {
  const e = err instanceof Error ? err : new Error(String(err));
  return [`${e.name === 'Error' ? 'Exception' : e.name}: ${e.message}\n`];
}

function pauseMs(value: number | string | undefined, lookup: Lookup): number {
  if (value === undefined) return 0;
  const v = substitute(value, lookup);
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n > 0 ? n * 1000 : 0;
}

/**
 * One activity, as chaoslib's execute_activity: the pause before, the
 * provider, the record (a failed provider is a failed record, not an
 * error), the pause after. A ref runs the activity it names. Errors other
 * than a failed activity are thrown: the run is aborted.
 */
export async function executeActivity(activity: Activity, rt: ActivityRuntime, phase: Phase, signal: AbortSignal, byName: Map<string, ActivityDefinition>, notify = true): Promise<RunRecord> {
  const definition = isRef(activity) ? byName.get(activity.ref) : activity;
  if (!definition) throw new ActivityFailed(`could not find referenced activity '${(activity as { ref: string }).ref}'`);
  const before = pauseMs(definition.pauses?.before, rt.lookup);
  if (before > 0) await rt.sleep(before, signal);
  const start = rt.now();
  const run: RunRecord = { activity: structuredClone(definition), output: null, status: 'succeeded', start: null, end: null, duration: null };
  try {
    if (signal.aborted) throw new ActivityFailed('stopped before it started: the run was interrupted');
    run.output = await runProvider(definition.provider, providerContext(definition, rt, signal));
    run.status = 'succeeded';
  } catch (err) {
    if (!(err instanceof ActivityFailed)) throw err;
    run.status = 'failed';
    run.output = null;
    run.exception = exceptionLines(err);
  }
  const end = rt.now();
  // chaoslib's key order: activity, output, status, exception, start, end, duration
  const record: RunRecord = { activity: run.activity, output: run.output, status: run.status, ...(run.exception ? { exception: run.exception } : {}), start: pythonIsoTime(start), end: pythonIsoTime(end), duration: (end - start) / 1000 };
  if (notify) rt.onRecord(phase, record);
  const after = pauseMs(definition.pauses?.after, rt.lookup);
  if (after > 0 && !signal.aborted) await rt.sleep(after, signal);
  return record;
}

/**
 * A probe used as a tolerance: it runs with the output as its `value`
 * argument (a process gets it as JSON on stdin) and the tolerance is met
 * when it succeeds: a prodeng function returns a true value, a process exits
 * 0, an http call answers below 400.
 */
async function runToleranceProbe(probe: ProbeTolerance, output: unknown, rt: ActivityRuntime, signal: AbortSignal): Promise<boolean> {
  try {
    const result = await runProvider(probe.provider, providerContext(probe, rt, signal, { given: true, output }));
    if (probe.provider.type === 'process') return (result as { status: number }).status === 0;
    if (probe.provider.type === 'http') return (result as { status: number }).status < 400;
    return pyTruthy(result);
  } catch (err) {
    if (err instanceof ActivityFailed) return false;
    throw err;
  }
}

/**
 * The steady-state hypothesis, as chaoslib's run_steady_state_hypothesis:
 * its probes in order, stopping at the first that fails or whose output is
 * outside its tolerance. Null when the experiment has no hypothesis.
 */
export async function runSteadyState(rt: ActivityRuntime, phase: Phase, signal: AbortSignal, byName: Map<string, ActivityDefinition>): Promise<SteadyState | null> {
  const hypothesis = rt.experiment['steady-state-hypothesis'];
  if (!hypothesis) return null;
  const state: SteadyState = { steady_state_met: null, probes: [] };
  for (const probe of hypothesis.probes ?? []) {
    const run = await executeActivity(probe, rt, phase, signal, byName, false);
    state.probes.push(run);
    if (run.status === 'failed') {
      run.tolerance_met = false;
      state.steady_state_met = false;
      rt.onRecord(phase, run);
      return state;
    }
    run.tolerance_met = true;
    let met: boolean;
    try {
      met = await withinTolerance(probe.tolerance as NonNullable<typeof probe.tolerance>, run.output, { lookup: rt.lookup, runProbe: (p, output) => runToleranceProbe(p, output, rt, signal) });
    } catch {
      met = false;
    }
    if (!met) run.tolerance_met = false;
    rt.onRecord(phase, run);
    if (!met) {
      state.steady_state_met = false;
      return state;
    }
  }
  state.steady_state_met = true;
  return state;
}
