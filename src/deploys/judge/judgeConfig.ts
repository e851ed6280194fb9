import type { JudgeConfig, JudgeConfigInput } from './types.js';

/**
 * The defaults, and why:
 * - α = 1%: at most one canary in a hundred that is no worse than its
 *   baseline fails, over all its metrics together (the acceptance figure).
 * - errors may be 20% higher before a significant difference fails the
 *   canary: below that an SRE would not roll back; 0.1% is "negligible"
 *   for a canary whose errors are too few to compare (a 99.9% service).
 * - latency may be 5% slower typically and 10% slower at each tail; the
 *   tails get a tenth of the metric's α, enough because a slow minority
 *   crowds the pooled tail and the exact tail test needs little α to see it,
 *   while the centre test keeps the power for small shifts.
 * - errors weigh 4 to latency's 1: a burst of sparse errors is the commonest
 *   sign of a bad release, and an exact count test needs α to show it (7
 *   errors against 0 reach p = 1/128, so beside a latency metric they need
 *   80% of α = 0.8% to fail), while latency has many samples to spend.
 * - SLO burn above 2× the budget's pace fails the verdict outright.
 */
export const defaultJudgeConfig: JudgeConfig = {
  alpha: 0.01,
  errors: { allowedIncrease: 0.2, negligibleRate: 0.001, weight: 4 },
  latency: {
    allowedIncrease: 0.05,
    tails: [
      { quantile: 0.95, allowedIncrease: 0.1 },
      { quantile: 0.99, allowedIncrease: 0.1 },
    ],
    tailWeight: 0.1,
    weight: 1,
  },
  sloBurn: { maxBurnRate: 2 },
};

export interface ConfigProblem {
  field: string;
  message: string;
}

/** The defaults overlaid with what was given; a value out of range is a problem naming its field. */
export function resolveJudgeConfig(input: JudgeConfigInput = {}): { ok: true; config: JudgeConfig } | { ok: false; problem: ConfigProblem } {
  const d = defaultJudgeConfig;
  const latencyTails = input.latency?.tails?.map((t) => ({ quantile: t.quantile, allowedIncrease: t.allowedIncrease ?? d.latency.tails[0]!.allowedIncrease }));
  const config: JudgeConfig = {
    alpha: input.alpha ?? d.alpha,
    errors: { ...d.errors, ...strip(input.errors) },
    latency: { ...d.latency, ...strip(input.latency), tails: latencyTails ?? d.latency.tails },
    sloBurn: { ...d.sloBurn, ...strip(input.sloBurn) },
  };
  const checks: Array<[boolean, string, string]> = [
    [config.alpha > 0 && config.alpha <= 0.2, 'alpha', 'must be above 0 and at most 0.2 (0.01 is a 1% false-fail rate)'],
    [config.errors.allowedIncrease >= 0, 'errors.allowedIncrease', 'must be 0 or more (0.2 allows 20% more errors)'],
    [config.errors.negligibleRate >= 0 && config.errors.negligibleRate < 1, 'errors.negligibleRate', 'must be from 0 to below 1 (0.001 is 0.1%)'],
    [config.errors.weight > 0, 'errors.weight', 'must be above 0'],
    [config.latency.allowedIncrease >= 0, 'latency.allowedIncrease', 'must be 0 or more (0.05 allows 5% slower)'],
    [config.latency.tailWeight >= 0 && config.latency.tailWeight < 1, 'latency.tailWeight', 'must be from 0 to below 1'],
    [config.latency.weight > 0, 'latency.weight', 'must be above 0'],
    [config.sloBurn.maxBurnRate > 0, 'sloBurn.maxBurnRate', 'must be above 0 (1 is spending the budget exactly at its pace)'],
  ];
  config.latency.tails.forEach((t, i) => {
    checks.push([t.quantile > 0.5 && t.quantile < 1, `latency.tails[${i}].quantile`, 'must be above 0.5 and below 1 (0.99 for p99)']);
    checks.push([t.allowedIncrease >= 0, `latency.tails[${i}].allowedIncrease`, 'must be 0 or more']);
  });
  for (const [ok, field, message] of checks) if (!(ok && Number.isFinite(valueAt(config, field)))) return { ok: false, problem: { field, message } };
  return { ok: true, config };
}

/** Leaves out keys given as undefined, so they do not hide a default. */
function strip<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'tails')) as Partial<T>;
}

function valueAt(config: JudgeConfig, field: string): number {
  let at: unknown = config;
  for (const part of field.replace(/\[(\d+)\]/g, '.$1').split('.')) at = (at as Record<string, unknown>)[part];
  return typeof at === 'number' ? at : NaN;
}
