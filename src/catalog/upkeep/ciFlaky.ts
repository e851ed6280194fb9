import { sql } from 'kysely';
import { notMeasured, type CheckOutcome } from '../checks/checkOutcome.js';
import type { DbOrTx } from '../../store/store.js';

/**
 * Upkeep check: flaky tests. A test that both passed and failed (or errored)
 * on the same commit changed nothing but its luck: it is flaky, whatever the
 * code does. Read from the JUnit reports CI sent in the window.
 */

export interface CiFlakyInput {
  db: DbOrTx;
  service: string;
  now: number;
  /** how far back reports count; default 30 days */
  windowDays?: number | undefined;
}

export interface FlakyTest {
  name: string;
  /** the commits it both passed and failed on */
  commits: string[];
  passes: number;
  failures: number;
}

const DAY_MS = 86_400_000;
const NAMES_IN_FACT = 10;
const NAMES_IN_EVIDENCE = 100;

const passes = sql<number | string>`sum(case when c.status = 'passed' then 1 else 0 end)`;
const failures = sql<number | string>`sum(case when c.status in ('failed', 'error') then 1 else 0 end)`;

export async function ciFlakyTests(input: CiFlakyInput): Promise<CheckOutcome> {
  const { db, service, now } = input;
  const windowDays = input.windowDays ?? 30;
  const since = now - windowDays * DAY_MS;
  const source = `JUnit reports of ${service} (POST /api/v1/ci/reports)`;

  const reports = await db
    .selectFrom('ci_reports')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.count<number | string>('commit').distinct().as('commits')])
    .where('service', '=', service)
    .where('received_at', '>=', since)
    .where('received_at', '<=', now)
    .executeTakeFirstOrThrow();
  const reportCount = Number(reports.n);
  if (reportCount === 0) return notMeasured(`no CI test reports in the last ${windowDays} days: have CI POST its JUnit XML to /api/v1/ci/reports`, source, now);

  const rows = await db
    .selectFrom('ci_test_cases as c')
    .innerJoin('ci_reports as r', 'r.id', 'c.report_id')
    .select(['c.name', 'c.commit', passes.as('passes'), failures.as('failures')])
    .where('c.service', '=', service)
    .where('r.received_at', '>=', since)
    .where('r.received_at', '<=', now)
    .groupBy(['c.name', 'c.commit'])
    .having(passes, '>', 0)
    .having(failures, '>', 0)
    .execute();

  const byName = new Map<string, FlakyTest>();
  for (const row of rows) {
    const t = byName.get(row.name) ?? { name: row.name, commits: [], passes: 0, failures: 0 };
    t.commits.push(row.commit);
    t.passes += Number(row.passes);
    t.failures += Number(row.failures);
    byName.set(row.name, t);
  }
  // The ones that flip on most commits first: they cost the most reruns.
  const flaky = [...byName.values()].sort((a, b) => b.commits.length - a.commits.length || b.failures - a.failures || a.name.localeCompare(b.name));
  for (const t of flaky) t.commits.sort();
  const evidence = { windowDays, reports: reportCount, commits: Number(reports.commits), flakyCount: flaky.length, flaky: flaky.slice(0, NAMES_IN_EVIDENCE) };
  const seen = `${reportCount} report${reportCount === 1 ? '' : 's'} of ${evidence.commits} commit${evidence.commits === 1 ? '' : 's'} in the last ${windowDays} days`;

  if (flaky.length === 0) return { status: 'passed', fact: `no flaky test: none both passed and failed on one commit (${seen})`, source, measuredAt: now, evidence };
  const named = flaky
    .slice(0, NAMES_IN_FACT)
    .map((t) => `${t.name}${t.commits.length > 1 ? ` (on ${t.commits.length} commits)` : ''}`)
    .join(', ');
  const more = flaky.length > NAMES_IN_FACT ? ` and ${flaky.length - NAMES_IN_FACT} more` : '';
  return {
    status: 'failed',
    fact: `${flaky.length} flaky test${flaky.length === 1 ? '' : 's'} (passed and failed on the same commit; ${seen}): ${named}${more}`,
    source,
    measuredAt: now,
    evidence,
  };
}
