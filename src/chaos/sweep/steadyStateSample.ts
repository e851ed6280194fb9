import { runExperiment, type Experiment, type RunRecord } from '../experiment/index.js';

/** One probe of the steady state, once: whether its tolerance held, how long it took, how much it answered. */
export interface ProbeSample {
  name: string;
  met: boolean;
  durationMs: number;
  /** the HTTP status or process exit code, when the probe got that far */
  status?: number;
  /** the size of what it answered (body, stdout), to tell a page that lost a box */
  bytes?: number;
  /** why it failed, when it did */
  error?: string;
}

export interface SteadyStateSample {
  met: boolean;
  probes: ProbeSample[];
}

export type Hypothesis = NonNullable<Experiment['steady-state-hypothesis']>;

/**
 * Runs a steady-state hypothesis once, with Chaos Toolkit's rules (the same
 * runner and tolerances as `prodeng chaos run`), and keeps what a sweep
 * compares: met or not, and each probe's duration and answer size.
 */
export async function sampleSteadyState(hypothesis: Hypothesis, context: { configuration?: Experiment['configuration']; env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<SteadyStateSample> {
  const experiment = {
    title: hypothesis.title,
    description: 'a steady-state sample of a sweep',
    configuration: context.configuration,
    'steady-state-hypothesis': hypothesis,
    method: [],
    runtime: { hypothesis: { strategy: 'before-method-only' } },
  } as unknown as Experiment;
  const journal = await runExperiment(experiment, { env: context.env, ...(context.signal ? { signal: context.signal } : {}) });
  const probes = (journal.steady_states.before?.probes ?? []).map(probeSample);
  return { met: journal.steady_states.before?.steady_state_met === true, probes };
}

function probeSample(record: RunRecord): ProbeSample {
  const output = record.output as { status?: unknown; body?: unknown; stdout?: unknown } | null | undefined;
  const sample: ProbeSample = { name: record.activity.name, met: record.tolerance_met === true, durationMs: Math.round((record.duration ?? 0) * 1000) };
  if (output && typeof output === 'object' && typeof output.status === 'number') sample.status = output.status;
  const answer = output && typeof output === 'object' ? (output.body ?? output.stdout) : undefined;
  if (answer !== undefined) sample.bytes = typeof answer === 'string' ? Buffer.byteLength(answer) : Buffer.byteLength(JSON.stringify(answer));
  if (record.status === 'failed') sample.error = (record.exception ?? []).join('').trim().split('\n').pop() ?? 'failed';
  return sample;
}
