import { describe, expect, it } from 'vitest';
import { betaQuantile, binomialSf, hypergeometricSf, logGamma, normalQuantile, normalSf } from './distributions.js';

// Reference values from R (pnorm, qnorm, lgamma, pbinom, phyper, qbeta).
describe('distributions', () => {
  it('normal tail and quantile', () => {
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 12);
    expect(normalSf(5) / 2.866515718791939e-7).toBeCloseTo(1, 8);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 12);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874040841, 10);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 8);
  });
  it('log-gamma', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(1e5)).toBeCloseTo(1051287.7089736, 5);
  });
  it('binomial upper tail', () => {
    expect(binomialSf(7, 7, 0.5)).toBeCloseTo(0.0078125, 14);
    expect(binomialSf(3, 10, 0.3)).toBeCloseTo(0.6172172, 6);
    expect(binomialSf(0, 10, 0.3)).toBe(1);
    expect(binomialSf(30, 36, 0.5)).toBeCloseTo(binomialSum(30, 36, 0.5), 12);
  });
  it('hypergeometric upper tail', () => {
    expect(hypergeometricSf(7, 20, 7, 10)).toBeCloseTo(286 / 184756, 12);
    expect(hypergeometricSf(0, 20, 7, 10)).toBe(1);
    expect(hypergeometricSf(3, 20, 7, 10)).toBeCloseTo(1 - hyperCdf(2, 20, 7, 10), 12);
  });
  it('beta quantile inverts the regularized beta', () => {
    expect(betaQuantile(0.95, 1, 10)).toBeCloseTo(1 - Math.pow(0.05, 1 / 10), 12);
    expect(betaQuantile(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });
});

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
function binomialSum(x: number, n: number, p: number): number {
  let s = 0;
  for (let j = x; j <= n; j++) s += choose(n, j) * p ** j * (1 - p) ** (n - j);
  return s;
}
function hyperCdf(k: number, N: number, K: number, n: number): number {
  let s = 0;
  for (let j = 0; j <= k; j++) s += (choose(K, j) * choose(N - K, n - j)) / choose(N, n);
  return s;
}
