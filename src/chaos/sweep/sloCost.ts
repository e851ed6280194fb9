/** What a sweep cost a service's SLOs: bad events counted while it ran, against each one's error budget. */
export interface SloCost {
  slo: string;
  /** bad events (or slices) counted between the sweep's start and end */
  bad: number;
  /** the same as a share of the budget the SLO's window allows (1 = the whole budget) */
  budgetShare: number | null;
}

export interface SloEvents {
  name: string;
  bad: number;
  allowedBad: number;
}

export function sloCosts(before: readonly SloEvents[], after: readonly SloEvents[]): SloCost[] {
  return after.map((a) => {
    const b = before.find((x) => x.name === a.name);
    const bad = Math.max(0, a.bad - (b?.bad ?? 0));
    return { slo: a.name, bad, budgetShare: a.allowedBad > 0 ? bad / a.allowedBad : null };
  });
}

export function describeSloCost(c: SloCost): string {
  const share = c.budgetShare === null ? '' : c.budgetShare >= 1 ? `, ${c.budgetShare.toFixed(1)}× its whole error budget` : `, ${(c.budgetShare * 100).toFixed(1)}% of its error budget`;
  return `SLO ${c.slo}: ${c.bad} bad during the sweep${share}`;
}
