import { logChoose, normalSf } from './distributions.js';

/**
 * The Mann–Whitney U test, one-sided: is the canary's distribution shifted
 * up (slower) from the baseline's? Ties get mid-ranks. For small samples the
 * p-value is exact (the permutation distribution of the rank sum, ties
 * included); above `exactLimit` values in all it is the normal
 * approximation with the tie-corrected variance and a continuity correction.
 */
export interface MannWhitneyResult {
  /** pairs where the canary is slower, ties counted half */
  u: number;
  pValue: number;
  /** the p-value had the canary held the largest values: the best these pooled values allow */
  minAchievableP: number;
  method: 'exact' | 'normal approximation';
  /** every value the same: there is no order to test */
  allTied: boolean;
}

export const MANN_WHITNEY_EXACT_LIMIT = 60;

interface TieGroup {
  size: number;
  /** twice the mid-rank, an integer */
  doubledRank: number;
  canaryCount: number;
}

function tieGroups(baseline: readonly number[], canary: readonly number[]): TieGroup[] {
  // typed-array sorts, then one merge-like walk: far faster than sorting tagged objects
  const pooled = Float64Array.from([...baseline, ...canary]).sort();
  const sortedCanary = Float64Array.from(canary).sort();
  const groups: TieGroup[] = [];
  let c = 0;
  let i = 0;
  while (i < pooled.length) {
    const v = pooled[i]!;
    let j = i;
    while (j < pooled.length && pooled[j] === v) j++;
    let canaryCount = 0;
    while (c < sortedCanary.length && sortedCanary[c] === v) {
      canaryCount++;
      c++;
    }
    // ranks i+1 … j; their mean doubled is i+1+j
    groups.push({ size: j - i, doubledRank: i + 1 + j, canaryCount });
    i = j;
  }
  return groups;
}

/** Doubled rank sum of the canary when it holds the largest values. */
function maxDoubledRankSum(groups: TieGroup[], canarySize: number): number {
  let left = canarySize;
  let sum = 0;
  for (let g = groups.length - 1; g >= 0 && left > 0; g--) {
    const take = Math.min(left, groups[g]!.size);
    sum += take * groups[g]!.doubledRank;
    left -= take;
  }
  return sum;
}

/**
 * P(doubled rank sum ≥ each value) under random assignment of the pooled
 * values to the arms, by dynamic programming over the tie groups: the
 * number of ways to pick j canary values with a given doubled rank sum.
 */
function exactUpperTail(groups: TieGroup[], canarySize: number, total: number, thresholds: number[]): number[] {
  const maxSum = total * (total + 1);
  const width = maxSum + 1;
  let ways = new Float64Array((canarySize + 1) * width);
  ways[0] = 1;
  let chosenMax = 0;
  let sumMax = 0;
  for (const group of groups) {
    const next = new Float64Array((canarySize + 1) * width);
    const choose: number[] = [];
    for (let i = 0; i <= group.size; i++) choose.push(Math.exp(logChoose(group.size, i)));
    for (let j = 0; j <= Math.min(chosenMax, canarySize); j++) {
      for (let s = 0; s <= sumMax; s++) {
        const w = ways[j * width + s]!;
        if (w === 0) continue;
        for (let i = 0; i <= group.size && j + i <= canarySize; i++) {
          next[(j + i) * width + s + i * group.doubledRank]! += w * choose[i]!;
        }
      }
    }
    chosenMax += group.size;
    sumMax += group.size * group.doubledRank;
    ways = next;
  }
  const all = Math.exp(logChoose(total, canarySize));
  return thresholds.map((t) => {
    let tail = 0;
    for (let s = Math.max(0, Math.ceil(t)); s <= maxSum; s++) tail += ways[canarySize * width + s]!;
    return Math.min(1, tail / all);
  });
}

export function mannWhitneyGreater(baseline: readonly number[], canary: readonly number[], exactLimit = MANN_WHITNEY_EXACT_LIMIT): MannWhitneyResult {
  const m = canary.length;
  const n = baseline.length;
  const total = m + n;
  const groups = tieGroups(baseline, canary);
  let doubledRankSum = 0;
  for (const g of groups) doubledRankSum += g.canaryCount * g.doubledRank;
  const u = doubledRankSum / 2 - (m * (m + 1)) / 2;
  const allTied = groups.length === 1;
  if (allTied) return { u, pValue: 1, minAchievableP: 1, method: total <= exactLimit ? 'exact' : 'normal approximation', allTied };
  const maxSum = maxDoubledRankSum(groups, m);
  if (total <= exactLimit) {
    const [pValue, minAchievableP] = exactUpperTail(groups, m, total, [doubledRankSum, maxSum]);
    return { u, pValue: pValue!, minAchievableP: minAchievableP!, method: 'exact', allTied };
  }
  let tieTerm = 0;
  for (const g of groups) tieTerm += g.size ** 3 - g.size;
  const mean = (m * n) / 2;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  const sd = Math.sqrt(variance);
  const pAt = (uValue: number) => normalSf((uValue - mean - 0.5) / sd);
  return { u, pValue: pAt(u), minAchievableP: pAt(maxSum / 2 - (m * (m + 1)) / 2), method: 'normal approximation', allTied };
}
