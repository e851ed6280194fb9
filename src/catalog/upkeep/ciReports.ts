import { bulkInsert } from '../../store/bulkInsert.js';
import type { Store } from '../../store/store.js';
import type { JunitReport } from './ciJunit.js';

/** Where a report came from: the service's CI run of one commit. */
export interface CiReportOrigin {
  service: string;
  commit: string;
  branch: string | null;
  receivedAt: number;
  /** who sent it, from the credential */
  receivedBy: string;
}

/**
 * Keeps one report and all its test cases in one transaction: the caller's
 * 2xx means all of it is committed, and a failure leaves nothing behind.
 */
export async function storeCiReport(store: Store, origin: CiReportOrigin, report: JunitReport): Promise<number> {
  return store.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('ci_reports')
      .values({
        service: origin.service,
        commit: origin.commit,
        branch: origin.branch,
        suite: report.suite,
        tests: report.tests,
        failures: report.failures,
        errors: report.errors,
        skipped: report.skipped,
        duration_ms: report.durationMs,
        received_at: origin.receivedAt,
        received_by: origin.receivedBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const reportId = Number(row.id);
    await bulkInsert(
      tx,
      store.dialect,
      'ci_test_cases',
      ['report_id', 'service', 'commit', 'name', 'status', 'duration_ms'],
      report.cases.map((c) => [reportId, origin.service, origin.commit, c.name, c.status, c.durationMs]),
      [],
      ['bigint', 'text', 'text', 'text', 'text', 'bigint'],
    );
    return reportId;
  });
}
