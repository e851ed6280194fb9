/**
 * A small seeded generator (mulberry32) and the draws the judge's
 * acceptance tests replay: the same seed gives the same samples, so a
 * failing replay can be run again and looked at.
 */
export interface SeededRandom {
  /** uniform in [0, 1) */
  next(): number;
  normal(): number;
  lognormal(median: number, sigma: number): number;
  binomial(n: number, p: number): number;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    lognormal: (median, sigma) => median * Math.exp(sigma * normal()),
    // errors among requests: an exact Bernoulli sum up to 20,000 requests, the normal approximation past that
    binomial: (n, p) => {
      if (n <= 20_000) {
        let k = 0;
        for (let i = 0; i < n; i++) if (next() < p) k++;
        return k;
      }
      return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal())));
    },
  };
}
