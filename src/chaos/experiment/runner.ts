import { executeActivity, namedActivities, runSteadyState, type ActivityRuntime, type Phase } from './activity.js';
import { nodeName, platformName, pythonIsoTime, runnerVersion, type Journal, type JournalStatus, type RunRecord, type SteadyState } from './journal.js';
import type { ProdengRegistry } from './providers/index.js';
import { controlsIn, type Experiment, type HypothesisStrategy } from './schema.js';
import { lookupOf, substitute } from './substitute.js';
import { redactor, resolveValues } from './values.js';

export interface RunnerDeps {
  /** prodeng's own faults and toxics, for `prodeng` providers */
  registry?: ProdengRegistry;
  /** milliseconds since the epoch (default Date.now) */
  clock?: { now(): number };
  /** waits for pauses and between continuous hypothesis runs; must resolve early when signal aborts */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** aborting it interrupts the run (status interrupted); the rollbacks still run */
  signal?: AbortSignal;
  /** told of each activity's record as it ends (secrets redacted) */
  onActivity?: (phase: Phase, run: RunRecord) => void;
  /** the continuous hypothesis's period, instead of runtime.hypothesis.frequency (seconds, default 1) */
  hypothesisFrequencyMs?: number;
  /** where configuration and secrets are read (default process.env) */
  env?: NodeJS.ProcessEnv;
}

export const FAIL_FAST_REASON = 'the steady state deviated during the method (runtime.hypothesis.fail_fast)';

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const beforeMethod = (s: HypothesisStrategy) => s === 'default' || s === 'before-method-only' || s === 'continuously';
const afterMethod = (s: HypothesisStrategy) => s === 'default' || s === 'after-method-only' || s === 'continuously';
const duringMethod = (s: HypothesisStrategy) => s === 'during-method-only' || s === 'continuously';

/**
 * Runs an experiment as chaoslib's Runner does and returns its journal:
 * the steady-state hypothesis (not met: the run failed, the method is
 * skipped), the method's activities in order (background ones alongside),
 * the hypothesis again (not met: deviated), and the rollbacks.
 *
 * One rule is stronger than Chaos Toolkit's (chaostoolkit#195): the
 * rollbacks run whatever happened — a failed method, a deviation, an
 * interruption, an error — unless runtime.rollbacks.strategy is `never`;
 * the journal's prodeng.notes says when Chaos Toolkit would have skipped
 * them, or when `never` did. An interruption does not stop the rollbacks.
 *
 * Throws (before running anything) only when a configuration value or a
 * secret cannot be read from the environment.
 */
export async function runExperiment(experiment: Experiment, deps: RunnerDeps = {}): Promise<Journal> {
  const values = resolveValues(experiment, deps.env ?? process.env);
  const redact = redactor(values.secrets);
  const lookup = lookupOf(values.configuration, values.secrets);
  const clock = deps.clock ?? { now: () => Date.now() };
  const sleep = deps.sleep ?? realSleep;
  const runSignal = deps.signal ?? new AbortController().signal;
  const byName = namedActivities(experiment);
  const notes: string[] = [];
  const rt: ActivityRuntime = {
    experiment,
    values,
    lookup,
    registry: deps.registry ?? new Map(),
    now: () => clock.now(),
    sleep,
    onRecord: (phase, run) => deps.onActivity?.(phase, redact(run)),
  };

  const copy = structuredClone(experiment);
  copy.title = String(substitute(copy.title, lookup));
  const startedAt = clock.now();
  const journal: Omit<Journal, 'end' | 'duration' | 'prodeng' | 'status'> & { status: JournalStatus | null } = {
    'chaoslib-version': runnerVersion(),
    platform: platformName(),
    node: nodeName(),
    experiment: copy,
    start: pythonIsoTime(startedAt),
    status: null,
    deviated: false,
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
  };
  if (controlsIn(experiment).length > 0) notes.push('controls were not run: they are Chaos Toolkit Python extensions');

  const strategy: HypothesisStrategy = experiment.runtime?.hypothesis?.strategy ?? 'default';
  const hasHypothesis = (experiment['steady-state-hypothesis']?.probes?.length ?? 0) > 0;
  const ended = (): boolean => journal.status === 'failed' || journal.status === 'interrupted' || journal.status === 'aborted';
  const interrupted = (): boolean => {
    if (runSignal.aborted) journal.status = 'interrupted';
    return runSignal.aborted;
  };

  try {
    let gate: SteadyState | null | 'none' = 'none';
    if (!interrupted() && hasHypothesis && beforeMethod(strategy)) {
      gate = await runSteadyState(rt, 'hypothesis-before', runSignal, byName);
      journal.steady_states.before = gate;
      if (!interrupted() && gate && !gate.steady_state_met) journal.status = 'failed';
    }
    if (!ended()) {
      const method = new AbortController();
      const stopMethod = () => method.abort(runSignal.reason ?? new Error('the run was interrupted'));
      runSignal.addEventListener('abort', stopMethod, { once: true });
      const methodDone = new AbortController();
      const during = hasHypothesis && duringMethod(strategy) ? watchDuringMethod(rt, journal, method, methodDone.signal, runSignal, byName, deps, experiment, notes) : Promise.resolve();
      let methodRan = false;
      try {
        journal.run = await runMethod(experiment, rt, method.signal, byName, () => ended() || method.signal.aborted);
        methodRan = true;
      } catch (err) {
        if (!interrupted()) {
          journal.status = 'aborted';
          notes.push(`the method stopped on an unexpected error: ${(err as Error)?.message ?? String(err)}`);
        }
      } finally {
        methodDone.abort();
        runSignal.removeEventListener('abort', stopMethod);
        await during;
      }
      interrupted();
      if (journal.status !== 'interrupted' && journal.status !== 'aborted' && methodRan && hasHypothesis && afterMethod(strategy)) {
        const after = await runSteadyState(rt, 'hypothesis-after', runSignal, byName);
        journal.steady_states.after = after;
        if (!interrupted() && after && !after.steady_state_met) {
          journal.deviated = true;
          journal.status = 'failed';
        }
      }
    }
  } catch (err) {
    if (!interrupted()) {
      journal.status = 'aborted';
      notes.push(`the run stopped on an unexpected error: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  await runRollbacks(experiment, rt, journal, notes, byName);

  const endedAt = clock.now();
  const status: JournalStatus = journal.status === null ? 'completed' : journal.status;
  const done: Journal = { ...journal, status, end: pythonIsoTime(endedAt), duration: (endedAt - startedAt) / 1000, prodeng: { notes } };
  return redact(done);
}

/** The method's activities in order; a background one starts and the next follows at once; all are awaited. Records in the method's order. */
async function runMethod(experiment: Experiment, rt: ActivityRuntime, signal: AbortSignal, byName: Map<string, import('./schema.js').ActivityDefinition>, stop: () => boolean): Promise<RunRecord[]> {
  const pending: Array<Promise<RunRecord>> = [];
  let failure: unknown;
  for (const activity of experiment.method) {
    const background = !('ref' in activity) && activity.background === true;
    const running = executeActivity(activity, rt, 'method', signal, byName);
    pending.push(running);
    if (!background) {
      try {
        await running;
      } catch (err) {
        failure = err;
        break;
      }
    } else running.catch(() => {});
    if (stop()) break;
  }
  const settled = await Promise.allSettled(pending);
  if (failure !== undefined) throw failure;
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<RunRecord>).value);
}

/**
 * The hypothesis every `frequency` seconds while the method runs
 * (strategies continuously and during-method-only). With fail_fast, the
 * first breach stops the method at once — the activity running is aborted —
 * and the run is failed and deviated.
 */
async function watchDuringMethod(
  rt: ActivityRuntime,
  journal: { status: JournalStatus | null; deviated: boolean; steady_states: { during: SteadyState[] } },
  method: AbortController,
  methodDone: AbortSignal,
  runSignal: AbortSignal,
  byName: Map<string, import('./schema.js').ActivityDefinition>,
  deps: RunnerDeps,
  experiment: Experiment,
  notes: string[],
): Promise<void> {
  const frequencyMs = deps.hypothesisFrequencyMs ?? (experiment.runtime?.hypothesis?.frequency ?? 1) * 1000;
  const failFast = experiment.runtime?.hypothesis?.fail_fast === true;
  while (!methodDone.aborted && !runSignal.aborted) {
    if (journal.status === 'failed' || journal.status === 'interrupted' || journal.status === 'aborted') break;
    const state = await runSteadyState(rt, 'hypothesis-during', runSignal, byName);
    if (!state) break;
    journal.steady_states.during.push(state);
    if (!state.steady_state_met && !runSignal.aborted && failFast && !methodDone.aborted) {
      journal.status = 'failed';
      journal.deviated = true;
      notes.push(`the method was stopped: ${FAIL_FAST_REASON}`);
      method.abort(new Error(FAIL_FAST_REASON));
      break;
    }
    await rt.sleep(frequencyMs, AbortSignal.any([methodDone, runSignal]));
  }
}

/** The rollbacks, always (a fresh signal: an interruption does not stop them), unless the strategy is never. */
async function runRollbacks(
  experiment: Experiment,
  rt: ActivityRuntime,
  journal: { status: JournalStatus | null; deviated: boolean; rollbacks: RunRecord[] },
  notes: string[],
  byName: Map<string, import('./schema.js').ActivityDefinition>,
): Promise<void> {
  const strategy = experiment.runtime?.rollbacks?.strategy ?? 'default';
  const rollbacks = experiment.rollbacks ?? [];
  if (strategy === 'never') {
    if (rollbacks.length > 0) notes.push('rollbacks were not run: runtime.rollbacks.strategy is never');
    return;
  }
  if (rollbacks.length === 0) return;
  if (strategy === 'default' && (journal.status === 'failed' || journal.status === 'interrupted')) notes.push(`rollbacks ran although the run ${journal.status === 'failed' ? 'failed' : 'was interrupted'}: prodeng always runs them, where Chaos Toolkit's default strategy would skip them`);
  if (strategy === 'deviated' && !journal.deviated) notes.push('rollbacks ran although the run did not deviate: prodeng always runs them, where the deviated strategy would skip them');
  const signal = new AbortController().signal;
  const pending: Array<Promise<RunRecord>> = [];
  for (const activity of rollbacks) {
    const running = executeActivity(activity, rt, 'rollbacks', signal, byName).catch((err: unknown): RunRecord => {
      // a rollback that cannot even be run is recorded as failed; the next ones still run
      const now = pythonIsoTime(rt.now());
      const definition = 'ref' in activity ? byName.get(activity.ref) : activity;
      return { activity: structuredClone(definition ?? (activity as never)), output: null, status: 'failed', exception: [`Exception: ${(err as Error)?.message ?? String(err)}\n`], start: now, end: now, duration: 0 };
    });
    pending.push(running);
    if ('ref' in activity || activity.background !== true) await running;
  }
  journal.rollbacks = await Promise.all(pending);
}
