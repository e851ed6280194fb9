/**
 * Holm's step-down procedure with weights (Holm 1979): it keeps the chance
 * of failing a canary that is no worse than its baseline on any metric at
 * most α, whatever the dependence between the tests, and it is never less
 * powerful than plain Bonferroni. A weight gives a test a larger share of α
 * (the centre test of latency more than its tails).
 *
 * Step: among the hypotheses left, take the one with the smallest p/w; it is
 * rejected if p ≤ α·w / (sum of the weights left); stop at the first that is
 * not. A hypothesis without a p-value (its test could not run) keeps its
 * weight in the family — leaving it out after seeing the data would spend
 * the α twice — and is never rejected.
 */
export interface Hypothesis {
  pValue: number | null;
  weight: number;
}

export interface HolmDecision {
  rejected: boolean;
  /** the level the p-value was finally held to */
  level: number;
}

export function weightedHolm(hypotheses: readonly Hypothesis[], alpha: number): HolmDecision[] {
  const decisions: HolmDecision[] = hypotheses.map(() => ({ rejected: false, level: 0 }));
  const remaining = new Set(hypotheses.map((_, i) => i));
  let weightLeft = hypotheses.reduce((sum, h) => sum + h.weight, 0);
  for (;;) {
    let best = -1;
    for (const i of remaining) {
      const h = hypotheses[i]!;
      if (h.pValue === null) continue;
      if (best < 0 || h.pValue / h.weight < hypotheses[best]!.pValue! / hypotheses[best]!.weight) best = i;
    }
    if (best < 0) break;
    const h = hypotheses[best]!;
    const level = (alpha * h.weight) / weightLeft;
    if (h.pValue! > level) break;
    decisions[best] = { rejected: true, level };
    remaining.delete(best);
    weightLeft -= h.weight;
  }
  for (const i of remaining) decisions[i] = { rejected: false, level: weightLeft > 0 ? (alpha * hypotheses[i]!.weight) / weightLeft : alpha };
  return decisions;
}
