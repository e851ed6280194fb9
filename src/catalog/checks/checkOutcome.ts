/**
 * What one scorecard check found for one service: passed, failed, or not
 * measured (no data yet, never counted as passed), with the fact a person
 * reads, where it came from, and when it was measured.
 */
export type CheckStatus = 'passed' | 'failed' | 'not_measured';

export interface CheckOutcome {
  status: CheckStatus;
  /** the fact, for a person: "3 TODO/FIXME, down from 7 thirty days ago" */
  fact: string;
  /** where it was read: "git history of /srv/cart", "registry http://127.0.0.1:4873", "probe shop-health" */
  source: string;
  /** epoch ms */
  measuredAt: number;
  /** the figures behind the fact, for the API and the console */
  evidence?: Record<string, unknown>;
}

export const notMeasured = (fact: string, source: string, measuredAt: number): CheckOutcome => ({ status: 'not_measured', fact, source, measuredAt });
