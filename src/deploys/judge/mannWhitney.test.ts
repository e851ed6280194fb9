import { describe, expect, it } from 'vitest';
import { latencyRatio } from './hodgesLehmann.js';
import { mannWhitneyGreater } from './mannWhitney.js';
import { seededRandom } from './seededRandom.js';
import { quantileInterval, tailExceedanceTest } from './tailTest.js';

/** The permutation p-value by brute force: every way of choosing which pooled values are the canary's. */
function bruteForceP(baseline: number[], canary: number[]): number {
  const pooled = [...baseline, ...canary];
  const uOf = (c: number[], b: number[]) => c.reduce((s, y) => s + b.reduce((t, x) => t + (y > x ? 1 : y === x ? 0.5 : 0), 0), 0);
  const observed = uOf(canary, baseline);
  let hits = 0;
  let all = 0;
  const n = pooled.length;
  const m = canary.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) bits++;
    if (bits !== m) continue;
    const c = pooled.filter((_, i) => mask & (1 << i));
    const b = pooled.filter((_, i) => !(mask & (1 << i)));
    all++;
    if (uOf(c, b) >= observed - 1e-9) hits++;
  }
  return hits / all;
}

describe('Mann–Whitney U', () => {
  it('exact p-values match the brute-force permutation distribution, ties included', () => {
    const cases: Array<[number[], number[]]> = [
      [[1, 2, 3, 4, 5, 6], [4, 5, 6, 7, 8, 9]],
      [[1, 1, 2, 2, 3, 3], [2, 3, 3, 3, 4, 4]],
      [[5, 5, 5, 1, 2], [5, 5, 6, 7, 1, 5, 5]],
    ];
    for (const [b, c] of cases) expect(mannWhitneyGreater(b, c).pValue).toBeCloseTo(bruteForceP(b, c), 12);
  });

  it('spinnaker#6278: the canary holding the seven slow values has p = C(13,3)/C(20,10)', () => {
    const r = mannWhitneyGreater([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [100, 100, 100, 100, 100, 100, 100, 1, 1, 1]);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(85);
    expect(r.pValue).toBeCloseTo(286 / 184756, 12);
  });

  it('the normal approximation agrees with the exact distribution near the switch-over', () => {
    const rnd = seededRandom(7);
    const b = Array.from({ length: 30 }, () => Math.round(rnd.lognormal(100, 0.5)));
    const c = Array.from({ length: 30 }, () => Math.round(rnd.lognormal(120, 0.5)));
    const exact = mannWhitneyGreater(b, c, 60).pValue;
    const approx = mannWhitneyGreater(b, c, 0).pValue;
    expect(Math.abs(exact - approx)).toBeLessThan(0.01);
  });

  it('all values tied: nothing to order', () => {
    expect(mannWhitneyGreater([3, 3, 3], [3, 3]).allTied).toBe(true);
  });
});

describe('Hodges–Lehmann ratio and the tail test', () => {
  it('recovers a 10% slowdown with an interval around it', () => {
    const rnd = seededRandom(11);
    const b = Array.from({ length: 1000 }, () => rnd.lognormal(100, 0.5));
    const c = Array.from({ length: 1000 }, () => rnd.lognormal(110, 0.5));
    const r = latencyRatio(b, c, 0.99);
    expect(r.estimate).toBeGreaterThan(1.03);
    expect(r.estimate).toBeLessThan(1.17);
    expect(r.ci.lower!).toBeLessThan(r.estimate);
    expect(r.ci.upper!).toBeGreaterThan(r.estimate);
  });

  it('the order-statistic interval of a median covers it', () => {
    const sorted = Array.from({ length: 101 }, (_, i) => i);
    const ci = quantileInterval(sorted, 0.5, 0.95);
    expect(ci.lower!).toBeLessThan(50);
    expect(ci.upper!).toBeGreaterThan(50);
    expect(quantileInterval([1, 2, 3], 0.99, 0.99).upper).toBeNull();
  });

  it('a slow tenth of the canary fills the pooled p95', () => {
    const rnd = seededRandom(5);
    const b = Array.from({ length: 1000 }, () => rnd.lognormal(100, 0.3));
    const c = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 10 : 1) * rnd.lognormal(100, 0.3));
    const t = tailExceedanceTest(b, c, 0.95, 0.99);
    expect(t.canaryInTail).toBeGreaterThan(95);
    expect(t.pValue).toBeLessThan(1e-20);
    expect(t.ratioEstimate!).toBeGreaterThan(2);
  });
});
