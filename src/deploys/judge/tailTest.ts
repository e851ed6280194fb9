import { hypergeometricSf } from './distributions.js';
import type { Interval } from './types.js';

/**
 * The tail comparison: does the canary hold more than its share of the
 * slowest requests? A rank test of the whole distribution barely moves when
 * a minority of requests is much slower (spinnaker#6278), but the share of
 * the pooled tail shows it at once.
 *
 * Test: take the pooled sample's q-quantile t; the values at or above t are
 * "the tail". If both arms come from one distribution, which of the pooled
 * values are the canary's is a random draw, so the canary's count in the
 * tail is hypergeometric: an exact, distribution-free test (a one-sided
 * Fisher test on the 2×2 table arm × in-tail), valid with ties too because
 * the tail is fixed by the pooled values alone.
 *
 * Effect: the ratio of the arms' q-quantiles, with an order-statistic
 * interval for each quantile (exact binomial ranks), combined by Bonferroni
 * into an interval for the ratio.
 */
export interface TailAnalysis {
  quantile: number;
  threshold: number;
  tailSize: number;
  canaryInTail: number;
  /** what the canary's share of the tail would be by chance */
  expectedCanaryInTail: number;
  pValue: number;
  /** the p-value had the whole tail been the canary's */
  minAchievableP: number;
  baselineQuantile: number;
  canaryQuantile: number;
  ratioEstimate: number | null;
  ratioInterval: Interval;
}

/** The q-quantile of a sorted sample, interpolating between order statistics (Hyndman–Fan type 7, R's default). */
export function sampleQuantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * A distribution-free interval for the q-quantile: [X(l), X(u)] with ranks
 * from the binomial count of values below the quantile. null where the
 * sample is too small to bound that side.
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, confidence: number): { lower: number | null; upper: number | null } {
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  // cdf[j] = P(B ≤ j) for B ~ Binomial(n, q); the log pmf stepped from j to j+1 (one log a step, no underflow)
  const cdf: number[] = [];
  const logOdds = Math.log(q / (1 - q));
  let logPmf = n * Math.log(1 - q);
  let acc = 0;
  for (let j = 0; j <= n; j++) {
    acc += Math.exp(logPmf);
    cdf.push(Math.min(1, acc));
    logPmf += Math.log((n - j) / (j + 1)) + logOdds;
  }
  // coverage of [X(l), X(u)] ≥ P(l ≤ B ≤ u − 1) = cdf[u−1] − cdf[l−1]
  let l = 0;
  while (l + 1 <= n && cdf[l]! <= tail) l++;
  let u = n + 1;
  while (u - 1 >= 1 && cdf[u - 2]! >= 1 - tail) u--;
  return { lower: l >= 1 ? sorted[l - 1]! : null, upper: u <= n ? sorted[u - 1]! : null };
}

/** Both samples non-empty, q in (0, 1). `confidence` is two-sided, for the ratio's interval. */
export function tailExceedanceTest(baseline: readonly number[], canary: readonly number[], q: number, confidence: number): TailAnalysis {
  const b = Float64Array.from(baseline).sort();
  const c = Float64Array.from(canary).sort();
  const pooled = Float64Array.from([...baseline, ...canary]).sort();
  const total = pooled.length;
  const threshold = pooled[Math.max(0, Math.ceil(q * total) - 1)]!;
  let tailSize = 0;
  for (let i = total - 1; i >= 0 && pooled[i]! >= threshold; i--) tailSize++;
  let canaryInTail = 0;
  for (let i = c.length - 1; i >= 0 && c[i]! >= threshold; i--) canaryInTail++;
  const pValue = hypergeometricSf(canaryInTail, total, tailSize, c.length);
  const minAchievableP = hypergeometricSf(Math.min(tailSize, c.length), total, tailSize, c.length);

  const baselineQuantile = sampleQuantile(b, q);
  const canaryQuantile = sampleQuantile(c, q);
  // each arm's interval at 1 − (1 − confidence)/2, so the pair covers both with the stated confidence
  const each = 1 - (1 - confidence) / 2;
  const bi = quantileInterval(b, q, each);
  const ci = quantileInterval(c, q, each);
  const lower = ci.lower === null || bi.upper === null || bi.upper <= 0 ? 0 : ci.lower / bi.upper;
  const upper = ci.upper === null || bi.lower === null || bi.lower <= 0 ? null : ci.upper / bi.lower;
  return {
    quantile: q,
    threshold,
    tailSize,
    canaryInTail,
    expectedCanaryInTail: (tailSize * c.length) / total,
    pValue,
    minAchievableP,
    baselineQuantile,
    canaryQuantile,
    ratioEstimate: baselineQuantile > 0 ? canaryQuantile / baselineQuantile : null,
    ratioInterval: { lower, upper, confidence },
  };
}
