import { betaQuantile, binomialSf } from './distributions.js';
import type { CountArm, Interval } from './types.js';

/**
 * Errors compared as counts, not as a rate per time bucket: a rank test on
 * per-minute error rates calls 7 errors against 0 a tie (kayenta#426),
 * because most buckets are zero in both arms.
 *
 * The conditional binomial test: if both arms fail at the same rate, then
 * given the k errors seen in all, the canary's share of them is
 * Binomial(k, canary requests / all requests). Exact, and it needs no
 * estimate of the (unknown, shared) rate.
 */
export interface ErrorCountAnalysis {
  /** P(canary share ≥ observed | k, equal rates): one-sided, canary worse */
  pValue: number;
  /** the p-value had every error been the canary's: if even that is above the level, no split of these errors could show a difference */
  minAchievableP: number;
  /** canary/baseline rate ratio, 0.5 added to each count so that a zero count gives a finite estimate (Haldane–Anscombe) */
  ratioEstimate: number;
  /** exact (Clopper–Pearson on the canary's share) interval of the rate ratio, α on each side, so its lower end is the one-sided bound the test at α matches; null when there were no errors at all */
  ratioInterval: Interval | null;
  /** one-sided (1 − α) upper confidence bound of the canary's own error rate (Clopper–Pearson) */
  canaryRateUpper: number;
  baselineRate: number;
  canaryRate: number;
  totalErrors: number;
}

/** Requires requests > 0 on both arms and 0 ≤ errors ≤ requests (the judge checks before calling). */
export function conditionalBinomialTest(baseline: CountArm, canary: CountArm, alpha: number): ErrorCountAnalysis {
  const k = baseline.errors + canary.errors;
  const share = canary.requests / (canary.requests + baseline.requests);
  const pValue = k === 0 ? 1 : binomialSf(canary.errors, k, share);
  const minAchievableP = k === 0 ? 1 : Math.pow(share, k);
  const ratioEstimate = (canary.errors + 0.5) / canary.requests / ((baseline.errors + 0.5) / baseline.requests);
  const toRatio = (pi: number) => (pi / (1 - pi)) * (baseline.requests / canary.requests);
  let ratioInterval: Interval | null = null;
  if (k > 0) {
    const tail = alpha;
    const lowerShare = canary.errors === 0 ? 0 : betaQuantile(tail, canary.errors, k - canary.errors + 1);
    const upperShare = canary.errors === k ? 1 : betaQuantile(1 - tail, canary.errors + 1, k - canary.errors);
    ratioInterval = { lower: toRatio(lowerShare), upper: upperShare >= 1 ? null : toRatio(upperShare), confidence: 1 - 2 * alpha };
  }
  const canaryRateUpper = canary.errors >= canary.requests ? 1 : betaQuantile(1 - alpha, canary.errors + 1, canary.requests - canary.errors);
  return {
    pValue,
    minAchievableP,
    ratioEstimate,
    ratioInterval,
    canaryRateUpper,
    baselineRate: baseline.errors / baseline.requests,
    canaryRate: canary.errors / canary.requests,
    totalErrors: k,
  };
}
