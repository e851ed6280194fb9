import { conditionalBinomialTest } from './errorCountTest.js';
import { latencyRatio } from './hodgesLehmann.js';
import { mannWhitneyGreater } from './mannWhitney.js';
import { sampleQuantile, tailExceedanceTest } from './tailTest.js';
import type { ErrorsMetricInput, JudgeConfig, LatencyMetricInput, Outcome, TestResult } from './types.js';

/**
 * A test computed but not yet decided: its p-value waits for the family
 * correction, which sets the level it is held to.
 */
export interface PlannedTest {
  result: Omit<TestResult, 'level' | 'outcome' | 'reason'>;
  weight: number;
  /** the smallest p-value these data could have given: above the level, the test could not tell */
  minAchievableP: number | null;
  /** decided without the correction: the test could not run, or there is nothing to order */
  settled?: { outcome: Outcome; reason: string };
  /** what "could not tell" means for this test (errors: pass if the canary's own rate is negligible) */
  unableToTell?: (level: number) => { outcome: Outcome; reason: string };
}

export const formatNumber = (x: number | null): string => {
  if (x === null) return 'unbounded';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-4 || a >= 1e6 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
};

const percent = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

export function planErrorsTest(metric: ErrorsMetricInput, config: JudgeConfig): PlannedTest {
  const { baseline, canary } = metric;
  const confidence = 1 - config.alpha;
  const allowed = 1 + config.errors.allowedIncrease;
  const base = {
    name: metric.name,
    test: 'conditional binomial test (exact), one-sided: the canary’s share of all errors against its share of all requests',
    sampleSizes: { baseline: baseline.requests, canary: canary.requests },
  };
  const measure = 'canary/baseline error-rate ratio (0.5 added to each count)';
  if (baseline.requests === 0 || canary.requests === 0) {
    const empty = baseline.requests === 0 ? 'baseline' : 'canary';
    return {
      result: { ...base, effect: { measure, estimate: null, ci: null, allowed }, pValue: null, observed: prefix(baseline, canary) },
      weight: config.errors.weight,
      minAchievableP: null,
      settled: { outcome: 'not_enough_data', reason: `the ${empty} served no requests in the interval; send traffic to both arms` },
    };
  }
  const a = conditionalBinomialTest(baseline, canary, config.alpha);
  return {
    result: {
      ...base,
      effect: { measure, estimate: a.ratioEstimate, ci: a.ratioInterval, allowed },
      pValue: a.pValue,
      observed: { ...prefix(baseline, canary), baselineRate: a.baselineRate, canaryRate: a.canaryRate, canaryRateUpperBound: a.canaryRateUpper, minAchievableP: a.minAchievableP },
    },
    weight: config.errors.weight,
    minAchievableP: a.minAchievableP,
    unableToTell: (level) => {
      const few = `only ${a.totalErrors} error${a.totalErrors === 1 ? '' : 's'} in both arms: even had all been the canary’s, p would be ${formatNumber(a.minAchievableP)} > ${formatNumber(level)}`;
      if (a.canaryRateUpper <= config.errors.negligibleRate) {
        return { outcome: 'pass', reason: `${few}, too few to compare the arms; but the canary’s error rate is below ${percent(config.errors.negligibleRate)} with ${percent(confidence)} confidence (at most ${percent(a.canaryRateUpper)})` };
      }
      return {
        outcome: 'not_enough_data',
        reason: `${few}; and the canary’s error rate could be as high as ${percent(a.canaryRateUpper)}, above the negligible ${percent(config.errors.negligibleRate)}: judge a longer interval or more traffic`,
      };
    },
  };
}

function prefix(baseline: { requests: number; errors: number }, canary: { requests: number; errors: number }) {
  return { baselineRequests: baseline.requests, baselineErrors: baseline.errors, canaryRequests: canary.requests, canaryErrors: canary.errors };
}

const tailName = (q: number) => `p${Number((q * 100).toPrecision(4))}`;

const median = (values: readonly number[]) => sampleQuantile(Float64Array.from(values).sort(), 0.5);

export function planLatencyTests(metric: LatencyMetricInput, config: JudgeConfig): PlannedTest[] {
  const { baseline, canary } = metric;
  // α on each side: the interval's lower end is the one-sided bound a test at α matches
  const confidence = 1 - 2 * config.alpha;
  const { latency } = config;
  const tails = latency.tails;
  const centreWeight = tails.length === 0 ? latency.weight : latency.weight * (1 - latency.tailWeight);
  const tailWeight = tails.length === 0 ? 0 : (latency.weight * latency.tailWeight) / tails.length;
  const sampleSizes = { baseline: baseline.length, canary: canary.length };
  const centreBase = {
    name: `${metric.name}.centre`,
    sampleSizes,
  };
  const centreMeasure = 'canary/baseline typical-latency ratio (Hodges–Lehmann shift of log latency)';
  const centreAllowed = 1 + latency.allowedIncrease;

  if (baseline.length === 0 || canary.length === 0) {
    const empty = baseline.length === 0 ? 'baseline' : 'canary';
    const settled = { outcome: 'not_enough_data' as const, reason: `the ${empty} has no latency samples` };
    return [
      { result: { ...centreBase, test: 'Mann–Whitney U, one-sided', effect: { measure: centreMeasure, estimate: null, ci: null, allowed: centreAllowed }, pValue: null, observed: {} }, weight: centreWeight, minAchievableP: null, settled },
      ...tails.map((t) => ({
        result: { name: `${metric.name}.${tailName(t.quantile)}`, sampleSizes, test: 'tail exceedance test (exact hypergeometric), one-sided', effect: { measure: `canary/baseline ${tailName(t.quantile)} ratio`, estimate: null, ci: null, allowed: 1 + t.allowedIncrease }, pValue: null, observed: {} },
        weight: tailWeight,
        minAchievableP: null,
        settled,
      })),
    ];
  }

  const mw = mannWhitneyGreater(baseline, canary);
  const ratio = latencyRatio(baseline, canary, confidence);
  const allEqual = mw.allTied;
  const sameValues = { outcome: 'pass' as const, reason: 'every sample in both arms has the same value: the canary is no slower' };
  const planned: PlannedTest[] = [
    {
      result: {
        ...centreBase,
        test: `Mann–Whitney U (${mw.method === 'exact' ? 'exact permutation distribution' : 'normal approximation with continuity correction'}, ties mid-ranked), one-sided: canary slower`,
        effect: { measure: centreMeasure, estimate: ratio.estimate, ci: ratio.ci, allowed: centreAllowed },
        pValue: mw.pValue,
        observed: { u: mw.u, baselineMedian: median(baseline), canaryMedian: median(canary), minAchievableP: mw.minAchievableP },
      },
      weight: centreWeight,
      minAchievableP: mw.minAchievableP,
      ...(allEqual ? { settled: sameValues } : {}),
    },
  ];
  for (const t of tails) {
    const name = tailName(t.quantile);
    const a = tailExceedanceTest(baseline, canary, t.quantile, confidence);
    planned.push({
      result: {
        name: `${metric.name}.${name}`,
        test: `tail exceedance test (exact hypergeometric), one-sided: the canary’s share of the pooled values at or above the pooled ${name}`,
        sampleSizes,
        effect: { measure: `canary/baseline ${name} ratio (order-statistic interval)`, estimate: a.ratioEstimate, ci: a.ratioInterval, allowed: 1 + t.allowedIncrease },
        pValue: a.pValue,
        observed: {
          threshold: a.threshold,
          tailSize: a.tailSize,
          canaryInTail: a.canaryInTail,
          expectedCanaryInTail: a.expectedCanaryInTail,
          [`baseline${name.toUpperCase()}`]: a.baselineQuantile,
          [`canary${name.toUpperCase()}`]: a.canaryQuantile,
          minAchievableP: a.minAchievableP,
        },
      },
      weight: tailWeight,
      minAchievableP: a.minAchievableP,
      ...(allEqual ? { settled: sameValues } : {}),
      unableToTell: (level) => ({
        outcome: 'not_enough_data',
        reason: `${a.tailSize} pooled values at or above the ${name}: even had all been the canary’s, p would be ${formatNumber(a.minAchievableP)} > ${formatNumber(level)}; collect more samples or judge a lower quantile`,
      }),
    });
  }
  return planned;
}
