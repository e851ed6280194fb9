import type { ConfigProblem } from './judgeConfig.js';
import type { MetricInput } from './types.js';

/**
 * What a caller knows about one arm over the analysis interval, in the shape
 * the HTTP endpoints take it: counts, raw latencies, the SLO's burn.
 */
export interface ArmData {
  requests?: number;
  errors?: number;
  latenciesMs?: number[];
  sloBurn?: number;
}

/**
 * The metrics two arms' data make: `errors` when both arms have counts,
 * `latency` when both have samples, `sloBurn` when the canary's burn is
 * given. Data on one arm only is a problem, not a metric quietly left out:
 * a caller who sent the canary's latencies expects them judged.
 */
export function metricsFromArms(baseline: ArmData, canary: ArmData, prefix = ''): { ok: true; metrics: MetricInput[] } | { ok: false; problem: ConfigProblem } {
  const field = (arm: 'baseline' | 'canary', key: string) => `${prefix}${arm}.${key}`;
  const metrics: MetricInput[] = [];
  for (const arm of ['baseline', 'canary'] as const) {
    const data = arm === 'baseline' ? baseline : canary;
    if (data.errors !== undefined && data.requests === undefined) return problem(field(arm, 'requests'), 'is needed with errors: errors are counted among requests');
    if (data.requests !== undefined && data.errors === undefined) return problem(field(arm, 'errors'), 'is needed with requests (0 when there were none)');
    if (data.requests !== undefined && data.errors !== undefined && data.errors > data.requests) {
      return problem(field(arm, 'errors'), `${data.errors} errors is more than the ${data.requests} requests; count errors among the requests`);
    }
  }
  const hasCounts = (d: ArmData) => d.requests !== undefined;
  if (hasCounts(baseline) !== hasCounts(canary)) {
    const missing = hasCounts(baseline) ? 'canary' : 'baseline';
    return problem(field(missing, 'requests'), `the ${missing === 'canary' ? 'baseline' : 'canary'} has request counts; send this arm's too, or neither`);
  }
  if (hasCounts(baseline)) {
    metrics.push({ kind: 'errors', name: 'errors', baseline: { requests: baseline.requests!, errors: baseline.errors! }, canary: { requests: canary.requests!, errors: canary.errors! } });
  }
  if ((baseline.latenciesMs === undefined) !== (canary.latenciesMs === undefined)) {
    const missing = baseline.latenciesMs === undefined ? 'baseline' : 'canary';
    return problem(field(missing, 'latenciesMs'), `the ${missing === 'canary' ? 'baseline' : 'canary'} has latency samples; send this arm's too, or neither`);
  }
  if (baseline.latenciesMs && canary.latenciesMs) metrics.push({ kind: 'latency', name: 'latency', baseline: baseline.latenciesMs, canary: canary.latenciesMs });
  if (canary.sloBurn !== undefined) metrics.push({ kind: 'sloBurn', name: 'sloBurn', canary: canary.sloBurn, ...(baseline.sloBurn !== undefined ? { baseline: baseline.sloBurn } : {}) });
  else if (baseline.sloBurn !== undefined) return problem(field('canary', 'sloBurn'), 'the burn judged is the canary’s; the baseline’s alone says nothing about it');
  if (metrics.length === 0) return problem(`${prefix}canary`, 'nothing to judge: send requests and errors, latenciesMs, or the canary’s sloBurn');
  return { ok: true, metrics };
}

const problem = (field: string, message: string) => ({ ok: false as const, problem: { field, message } });
