import { notMeasured, type CheckOutcome } from '../checks/checkOutcome.js';
import type { DbOrTx } from '../../store/store.js';

/**
 * Upkeep check: is CI getting slower? The median duration of the service's
 * reports over the last 7 days against the 7 days before. Each suite (unit,
 * e2e, … as the report names it) is compared with itself: a fast and a slow
 * suite mixed would move the median with every change in how often each ran.
 */

export interface CiDurationThresholds {
  /** this week's median may exceed last week's by this much, in percent */
  maxSlowdownPercent: number;
  /** reports a week needs, per suite, for its median to mean something */
  minReports: number;
}

export const defaultCiDurationThresholds: CiDurationThresholds = { maxSlowdownPercent: 20, minReports: 3 };

export interface CiDurationInput {
  db: DbOrTx;
  service: string;
  now: number;
  /** only this branch's reports (e.g. main); all branches when absent */
  branch?: string | undefined;
  thresholds?: Partial<CiDurationThresholds> | undefined;
}

export interface SuiteTrend {
  suite: string;
  thisWeek: { reports: number; medianMs: number | null };
  lastWeek: { reports: number; medianMs: number | null };
  /** null when either week has too few reports */
  slowdownPercent: number | null;
}

const WEEK_MS = 7 * 86_400_000;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const humanDuration = (ms: number) => (ms >= 600_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`);

export async function ciDurationTrend(input: CiDurationInput): Promise<CheckOutcome> {
  const thresholds = { ...defaultCiDurationThresholds, ...input.thresholds };
  const { db, service, now } = input;
  const source = `JUnit reports of ${service}${input.branch ? ` on ${input.branch}` : ''} (POST /api/v1/ci/reports)`;
  let query = db
    .selectFrom('ci_reports')
    .select(['suite', 'duration_ms', 'received_at'])
    .where('service', '=', service)
    .where('received_at', '>=', now - 2 * WEEK_MS)
    .where('received_at', '<', now);
  if (input.branch) query = query.where('branch', '=', input.branch);
  const rows = await query.execute();

  const bySuite = new Map<string, { thisWeek: number[]; lastWeek: number[] }>();
  for (const r of rows) {
    const s = bySuite.get(r.suite) ?? { thisWeek: [], lastWeek: [] };
    (Number(r.received_at) >= now - WEEK_MS ? s.thisWeek : s.lastWeek).push(Number(r.duration_ms));
    bySuite.set(r.suite, s);
  }
  const suites: SuiteTrend[] = [...bySuite.entries()]
    .map(([suite, w]) => {
      const thisWeek = { reports: w.thisWeek.length, medianMs: median(w.thisWeek) };
      const lastWeek = { reports: w.lastWeek.length, medianMs: median(w.lastWeek) };
      const enough = thisWeek.reports >= thresholds.minReports && lastWeek.reports >= thresholds.minReports;
      const slowdownPercent = enough && lastWeek.medianMs! > 0 ? Math.round(((thisWeek.medianMs! - lastWeek.medianMs!) / lastWeek.medianMs!) * 1000) / 10 : null;
      return { suite, thisWeek, lastWeek, slowdownPercent };
    })
    .sort((a, b) => a.suite.localeCompare(b.suite));
  const evidence = { thresholds, branch: input.branch ?? null, suites };

  const compared = suites.filter((s) => s.slowdownPercent !== null);
  if (compared.length === 0) {
    const counts = suites.length ? suites.map((s) => `${s.suite}: ${s.thisWeek.reports} this week, ${s.lastWeek.reports} last week`).join('; ') : 'no reports in the last 14 days';
    return { ...notMeasured(`too few CI reports to compare durations (${counts}; ${thresholds.minReports} a week per suite needed)`, source, now), evidence };
  }
  const describe = (s: SuiteTrend) => `${s.suite} median ${humanDuration(s.thisWeek.medianMs!)} this week vs ${humanDuration(s.lastWeek.medianMs!)} last week (${s.slowdownPercent! >= 0 ? '+' : ''}${s.slowdownPercent}%)`;
  const slower = compared.filter((s) => s.slowdownPercent! > thresholds.maxSlowdownPercent);
  if (slower.length > 0) {
    return { status: 'failed', fact: `CI got slower by more than ${thresholds.maxSlowdownPercent}%: ${slower.map(describe).join('; ')}`, source, measuredAt: now, evidence };
  }
  return { status: 'passed', fact: `CI duration within ${thresholds.maxSlowdownPercent}% of last week: ${compared.map(describe).join('; ')}`, source, measuredAt: now, evidence };
}
