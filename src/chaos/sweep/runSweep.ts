import { baselineOf, defaultThresholds, edgeVerdict, faultOutcome, type DegradationThresholds } from './classifyEdge.js';
import type { EdgeFinding, FaultName, FaultOutcome } from './edgeVerdicts.js';
import type { KnownEdge } from './sweepPlan.js';
import type { SteadyStateSample } from './steadyStateSample.js';

/** One fault a sweep puts on an edge: a toxic on every proxy of it. */
export interface SweepFault {
  name: FaultName;
  toxic: { type: string; stream?: 'upstream' | 'downstream'; attributes?: Record<string, unknown> };
}

export interface SweepFaultOptions {
  /** added to every response on the edge (default 500 ms: above an optional box's budget, below a page's) */
  latencyMs?: number;
  /** what the edge answers instead of the callee (default 500) */
  errorStatus?: number;
}

/** The three faults, in the order they are tried: the dependency gone, slow, failing. */
export function sweepFaults(options: SweepFaultOptions = {}): SweepFault[] {
  return [
    // upstream: the request never reaches the callee, as when it is gone (nothing is charged twice)
    { name: 'blackhole', toxic: { type: 'blackhole', stream: 'upstream' } },
    { name: 'latency', toxic: { type: 'latency', stream: 'downstream', attributes: { latency: options.latencyMs ?? 500, jitter: 0 } } },
    { name: 'errors', toxic: { type: 'http_error', stream: 'upstream', attributes: { status: options.errorStatus ?? 500 } } },
  ];
}

export interface SweepDeps {
  /** puts the fault on the edge (leased to the sweep's run); returns what to revert */
  inject(edge: KnownEdge, fault: SweepFault): Promise<{ id: number }>;
  revert(id: number): Promise<void>;
  /** the caller's steady state, once */
  sample(): Promise<SteadyStateSample>;
  sleep(ms: number): Promise<void>;
  /** a line for a person as the sweep goes */
  progress?(line: string): void;
  signal?: AbortSignal;
}

export interface SweepOptions {
  faults?: SweepFault[];
  /** steady-state samples without a fault, and under each fault (default 3: a majority decides) */
  samples?: number;
  /** after a fault goes on, before sampling (default 300 ms) */
  settleMs?: number;
  /** how long the steady state may take to come back after a revert before the sweep stops (default 15 s) */
  recoverWithinMs?: number;
  thresholds?: DegradationThresholds;
  now?: () => number;
}

export interface SkippedEdge {
  caller: string;
  callee: string;
  declared: KnownEdge['declared'];
  reason: string;
}

export interface SweepResult {
  findings: EdgeFinding[];
  skipped: SkippedEdge[];
  baseline: SteadyStateSample[];
  durationMs: number;
}

export class SweepError extends Error {
  constructor(
    message: string,
    readonly code: 'no_steady_state' | 'not_recovered' | 'interrupted',
    /** what was measured before it stopped */
    readonly partial: EdgeFinding[] = [],
  ) {
    super(message);
  }
}

/**
 * Breaks every edge of the plan in turn, one fault at a time, each
 * reverted before the next, and classifies the edge by what its faults did
 * to the caller's steady state. It starts only from a steady state that
 * holds, and stops (never guesses) when the steady state does not come
 * back after a revert: what follows would measure the last fault, not the
 * next one.
 */
export async function runSweep(plan: readonly KnownEdge[], deps: SweepDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const samples = options.samples ?? 3;
  const faults = options.faults ?? sweepFaults();
  const say = deps.progress ?? (() => {});
  const takeSamples = async () => {
    const out: SteadyStateSample[] = [];
    for (let i = 0; i < samples; i++) {
      if (deps.signal?.aborted) throw new SweepError('the sweep was interrupted', 'interrupted');
      out.push(await deps.sample());
    }
    return out;
  };

  const baseline = await takeSamples();
  const held = baseline.filter((s) => s.met).length;
  if (held < samples) {
    const miss = baseline.find((s) => !s.met)?.probes.find((p) => !p.met);
    throw new SweepError(`the steady state does not hold before any fault (${held} of ${samples} samples met it${miss ? `; ${miss.name}: ${miss.error ?? `answered ${miss.status}`}` : ''}): a sweep would learn nothing`, 'no_steady_state');
  }
  const reference = baselineOf(baseline);
  const findings: EdgeFinding[] = [];
  const skipped: SkippedEdge[] = [];

  for (const edge of plan) {
    if (!edge.proxied || !edge.observed) {
      const reason = !edge.proxied ? `${edge.callee} takes no fault proxy (Service ${edge.callee}: faultProxy: true)` : `no traffic from ${edge.caller} to ${edge.callee} seen through discovery`;
      skipped.push({ caller: edge.caller, callee: edge.callee, declared: edge.declared, reason });
      say(`${edge.caller} -> ${edge.callee}: not measured: ${reason}`);
      continue;
    }
    const outcomes: FaultOutcome[] = [];
    for (const fault of faults) {
      const faultStarted = now();
      const injected = await deps.inject(edge, fault);
      let under: SteadyStateSample[];
      try {
        await deps.sleep(options.settleMs ?? 300);
        under = await takeSamples();
      } finally {
        await deps.revert(injected.id);
      }
      const outcome = { ...faultOutcome(fault.name, under, reference, options.thresholds ?? defaultThresholds), durationMs: now() - faultStarted };
      outcomes.push(outcome);
      say(`${edge.caller} -> ${edge.callee}: ${fault.name}: ${outcome.outcome}: ${outcome.detail}`);
      await recover(deps, options.recoverWithinMs ?? 15_000, now, `${fault.name} on ${edge.caller} -> ${edge.callee}`, findings);
    }
    const finding: EdgeFinding = { caller: edge.caller, callee: edge.callee, verdict: edgeVerdict(outcomes), declared: edge.declared, faults: outcomes };
    findings.push(finding);
    say(`${edge.caller} -> ${edge.callee}: ${finding.verdict.replace('_', ' ')}`);
  }
  return { findings, skipped, baseline, durationMs: now() - started };
}

async function recover(deps: SweepDeps, withinMs: number, now: () => number, after: string, findings: EdgeFinding[]): Promise<void> {
  const deadline = now() + withinMs;
  for (;;) {
    if (deps.signal?.aborted) throw new SweepError('the sweep was interrupted', 'interrupted', findings);
    const sample = await deps.sample();
    if (sample.met) return;
    if (now() > deadline) throw new SweepError(`the steady state did not come back within ${Math.round(withinMs / 1000)} s after ${after} was reverted; stopping rather than measuring the wrong fault`, 'not_recovered', findings);
    await deps.sleep(250);
  }
}
