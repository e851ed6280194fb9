import type { EdgeVerdict, FaultOutcome, FaultOutcomeKind } from './edgeVerdicts.js';
import type { SteadyStateSample } from './steadyStateSample.js';

/**
 * How far a sample may drift from the baseline and still count as "no
 * effect": a page that lost a box is smaller by a few hundred bytes, while
 * the same page differs by a digit or two (a host name, a cart count); a
 * slow dependency adds hundreds of milliseconds, while a busy machine adds
 * tens.
 */
export interface DegradationThresholds {
  /** fewer bytes than the baseline's smallest answer by more than this: content was lost */
  bytesLost: number;
  /** slower than the baseline's slowest by more than this (ms): latency */
  slowerByMs: number;
}

export const defaultThresholds: DegradationThresholds = { bytesLost: 32, slowerByMs: 150 };

interface ProbeBaseline {
  minBytes?: number;
  maxMs: number;
}

/** Per probe, from samples taken with no fault: the smallest answer and the slowest duration. */
export function baselineOf(samples: readonly SteadyStateSample[]): Map<string, ProbeBaseline> {
  const baseline = new Map<string, ProbeBaseline>();
  for (const sample of samples) {
    for (const p of sample.probes) {
      const b = baseline.get(p.name) ?? { maxMs: 0 };
      b.maxMs = Math.max(b.maxMs, p.durationMs);
      if (p.bytes !== undefined) b.minBytes = b.minBytes === undefined ? p.bytes : Math.min(b.minBytes, p.bytes);
      baseline.set(p.name, b);
    }
  }
  return baseline;
}

/**
 * What one fault did to the steady state, from samples taken under it:
 * broke when most samples missed the hypothesis (one slow sample on a busy
 * machine is not a verdict; a critical edge fails every time), degraded
 * when the hypothesis held but answers were smaller or slower than the
 * baseline in most samples, held otherwise.
 */
export function faultOutcome(fault: string, samples: readonly SteadyStateSample[], baseline: Map<string, ProbeBaseline>, thresholds: DegradationThresholds = defaultThresholds): FaultOutcome {
  const majority = Math.floor(samples.length / 2) + 1;
  const failed = samples.filter((s) => !s.met);
  if (failed.length >= majority) {
    const probe = failed[0]!.probes.find((p) => !p.met) ?? failed[0]!.probes[0];
    const what = probe ? `${probe.name} ${probe.status !== undefined ? `answered ${probe.status}` : (probe.error ?? 'failed')} after ${probe.durationMs} ms` : 'the steady state was not met';
    return { fault, outcome: 'broke', detail: `${failed.length} of ${samples.length} samples missed the steady state: ${what}` };
  }
  const signs = samples.filter((s) => s.met).map((s) => degradation(s, baseline, thresholds));
  const degraded = signs.filter((d): d is string => d !== null);
  if (degraded.length >= majority) return { fault, outcome: 'degraded', detail: `the steady state held, degraded in ${degraded.length} of ${samples.length} samples: ${degraded[0]}` };
  const slowest = Math.max(0, ...samples.flatMap((s) => s.probes.map((p) => p.durationMs)));
  return { fault, outcome: 'held', detail: `the steady state held in ${samples.length - failed.length} of ${samples.length} samples, no smaller and no slower (slowest probe ${slowest} ms)` };
}

function degradation(sample: SteadyStateSample, baseline: Map<string, ProbeBaseline>, t: DegradationThresholds): string | null {
  for (const p of sample.probes) {
    const b = baseline.get(p.name);
    if (!b) continue;
    if (b.minBytes !== undefined && p.bytes !== undefined && p.bytes < b.minBytes - t.bytesLost) return `${p.name} answered ${p.bytes} bytes, ${b.minBytes - p.bytes} fewer than without the fault`;
    if (p.durationMs > b.maxMs + t.slowerByMs) return `${p.name} took ${p.durationMs} ms, ${p.durationMs - b.maxMs} ms more than without the fault`;
  }
  return null;
}

const rank: Record<FaultOutcomeKind, number> = { held: 0, degraded: 1, broke: 2 };

/** An edge is as bad as the worst thing any of its faults did. */
export function edgeVerdict(outcomes: readonly FaultOutcome[]): EdgeVerdict {
  const worst = Math.max(0, ...outcomes.map((o) => rank[o.outcome]));
  return worst === 2 ? 'critical' : worst === 1 ? 'degradable' : 'no_effect';
}

/** What a verdict says against the declaration, when they disagree in the direction that matters. */
export function edgeDrift(verdict: EdgeVerdict | null, declared: 'required' | 'optional' | null, observed: boolean): string | null {
  if (declared === null && observed) return verdict === 'critical' ? 'not declared, and it broke the caller' : 'not declared: seen in traffic only';
  if (declared === 'optional' && verdict === 'critical') return 'declared optional, but it broke the caller';
  if (declared === 'required' && verdict === 'no_effect') return 'declared required, but breaking it changed nothing the steady state sees';
  return null;
}
