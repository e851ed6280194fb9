import { normalQuantile } from './distributions.js';
import type { Interval } from './types.js';

/**
 * The Hodges–Lehmann shift: the median of all canary − baseline pairwise
 * differences, the estimate that goes with the Mann–Whitney test, and its
 * distribution-free interval (Moses): the k-th smallest and k-th largest
 * differences, k from the U statistic's spread.
 *
 * The judge applies it to log latencies, so the shift is a ratio ("the
 * canary is typically 12% slower"), which suits latencies whose spread
 * grows with their size. The m·n differences are never built: the k-th
 * smallest is found by bisection on its value, counting the pairs below a
 * value in one merge-like pass over the two sorted samples.
 */
export interface ShiftEstimate {
  estimate: number;
  lower: number | null;
  upper: number | null;
}

/** Pairs (x, y) with y − x ≤ t; both arrays sorted ascending. */
function pairsAtMost(xs: Float64Array, ys: Float64Array, t: number): number {
  let count = 0;
  let i = 0;
  // for ascending y, the cut y − t ascends: x < y − t are excluded, so count x ≥ y − t
  for (let j = 0; j < ys.length; j++) {
    const cut = ys[j]! - t;
    while (i < xs.length && xs[i]! < cut) i++;
    count += xs.length - i;
  }
  return count;
}

/** The k-th smallest (1-based) of the pairwise differences y − x. */
function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  let lo = ys[0]! - xs[xs.length - 1]!;
  let hi = ys[ys.length - 1]! - xs[0]!;
  if (pairsAtMost(xs, ys, lo) >= k) return lo;
  // 1e-8 is far below any latency's (or log latency's) resolution: finer buys nothing
  for (let iter = 0; iter < 200 && hi - lo > 1e-8; iter++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (pairsAtMost(xs, ys, mid) >= k) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Both samples non-empty. `confidence` is two-sided. */
export function hodgesLehmannShift(baseline: readonly number[], canary: readonly number[], confidence: number): ShiftEstimate {
  const xs = Float64Array.from(baseline).sort();
  const ys = Float64Array.from(canary).sort();
  const pairs = xs.length * ys.length;
  const estimate = pairs % 2 === 1 ? kthDifference(xs, ys, (pairs + 1) / 2) : (kthDifference(xs, ys, pairs / 2) + kthDifference(xs, ys, pairs / 2 + 1)) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.floor(pairs / 2 - z * Math.sqrt((pairs * (xs.length + ys.length + 1)) / 12));
  if (k < 1) return { estimate, lower: null, upper: null };
  return { estimate, lower: kthDifference(xs, ys, k), upper: kthDifference(xs, ys, pairs - k + 1) };
}

/** The shift of log latencies as a ratio with its interval. Values at or below 0 ms count as 1 µs, so that the log exists. */
export function latencyRatio(baseline: readonly number[], canary: readonly number[], confidence: number): { estimate: number; ci: Interval } {
  const log = (v: number) => Math.log(Math.max(v, 1e-3));
  const shift = hodgesLehmannShift(baseline.map(log), canary.map(log), confidence);
  return {
    estimate: Math.exp(shift.estimate),
    ci: { lower: shift.lower === null ? null : Math.exp(shift.lower), upper: shift.upper === null ? null : Math.exp(shift.upper), confidence },
  };
}
