import { describe, expect, it } from 'vitest';
import { conditionalBinomialTest } from './errorCountTest.js';
import { weightedHolm } from './weightedHolm.js';

describe('weighted Holm', () => {
  it('steps down: each rejection frees its share of α for the rest', () => {
    const d = weightedHolm([{ pValue: 0.03, weight: 1 }, { pValue: 0.001, weight: 1 }, { pValue: 0.004, weight: 1 }], 0.05);
    expect(d.map((x) => x.rejected)).toEqual([true, true, true]);
    expect(d.map((x) => x.level)).toEqual([0.05, 0.05 / 3, 0.025]);
  });

  it('stops at the first hypothesis that is not rejected, and keeps the levels it reached', () => {
    const d = weightedHolm([{ pValue: 0.001, weight: 1 }, { pValue: 0.03, weight: 1 }, { pValue: 0.04, weight: 1 }], 0.05);
    expect(d.map((x) => x.rejected)).toEqual([true, false, false]);
    expect(d[1]!.level).toBeCloseTo(0.025, 15);
    expect(d[2]!.level).toBeCloseTo(0.025, 15);
  });

  it('weights share α: a weight of 9 against 1 gives 90%', () => {
    const d = weightedHolm([{ pValue: 0.0085, weight: 9 }, { pValue: 0.5, weight: 1 }], 0.01);
    expect(d[0]!.rejected).toBe(true);
    expect(d[0]!.level).toBeCloseTo(0.009, 15);
  });

  it('a test that could not run keeps its weight and is never rejected', () => {
    const d = weightedHolm([{ pValue: null, weight: 1 }, { pValue: 0.006, weight: 1 }], 0.01);
    expect(d.map((x) => x.rejected)).toEqual([false, false]);
    expect(d[1]!.level).toBe(0.005);
  });
});

describe('the conditional binomial test', () => {
  it('is the binomial tail of the canary’s share, with Clopper–Pearson bounds', () => {
    const a = conditionalBinomialTest({ requests: 1000, errors: 0 }, { requests: 1000, errors: 7 }, 0.01);
    expect(a.pValue).toBeCloseTo(1 / 128, 14);
    expect(a.minAchievableP).toBeCloseTo(1 / 128, 14);
    // share bound 0.01^(1/7) for 7 of 7; the ratio is share/(1 − share) at equal traffic
    const share = Math.pow(0.01, 1 / 7);
    expect(a.ratioInterval!.lower).toBeCloseTo(share / (1 - share), 8);
    expect(a.ratioInterval!.upper).toBeNull();
    // 0 of 10,000 at 99%: 1 − 0.01^(1/10000)
    const clean = conditionalBinomialTest({ requests: 10_000, errors: 0 }, { requests: 10_000, errors: 0 }, 0.01);
    expect(clean.canaryRateUpper).toBeCloseTo(1 - Math.pow(0.01, 1 / 10_000), 10);
    expect(clean.ratioInterval).toBeNull();
  });

  it('weighs the canary’s share of traffic: 10 errors on a tenth of the traffic is worse than 10 on half', () => {
    const small = conditionalBinomialTest({ requests: 9000, errors: 10 }, { requests: 1000, errors: 10 }, 0.01);
    const even = conditionalBinomialTest({ requests: 5000, errors: 10 }, { requests: 5000, errors: 10 }, 0.01);
    expect(small.pValue).toBeLessThan(1e-5);
    expect(even.pValue).toBeGreaterThan(0.5);
  });
});
