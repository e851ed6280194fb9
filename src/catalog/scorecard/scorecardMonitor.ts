import type { Store, DbOrTx } from '../../store/store.js';
import { enqueueWork } from '../../store/workQueue.js';
import type { PagingDirectory } from '../../paging/directory.js';
import { tellTeam } from '../../paging/tellTeam.js';
import type { ServiceScore } from './scorecard.js';

export const SCORECARD_NOTICE_WORK = 'scorecard.notice';
const DAY = 24 * 3600_000;
/** A year of daily scores, for the trend. */
export const SNAPSHOT_RETENTION_MS = 366 * DAY;

interface NoticePayload {
  service: string;
  title: string;
  lines: string[];
}

export interface MonitorResult {
  /** checks that were passing and now fail, by service */
  newlyFailing: Map<string, string[]>;
  snapshots: number;
}

/**
 * Keeps each check's last status and, when a passing check starts
 * failing, queues one notice for the owning team (committed with the
 * status that saw it, so a crash between the two neither loses nor
 * repeats it). A check that was never seen passing (new, or not measured)
 * tells nobody: the notice is for things that broke. Once a day (UTC) a
 * snapshot of each service's score is kept, a year of them.
 */
export async function recordScorecard(store: Store, scores: readonly ServiceScore[], now: number): Promise<MonitorResult> {
  const day = new Date(now).toISOString().slice(0, 10);
  return store.db.transaction().execute(async (tx) => {
    const prior = new Map((await tx.selectFrom('scorecard_checks').select(['service', 'check', 'status', 'since']).execute()).map((r) => [`${r.service}>${r.check}`, r]));
    const newlyFailing = new Map<string, string[]>();
    const changed: Array<{ service: string; check: string; status: string; fact: string; since: number }> = [];
    for (const s of scores) {
      for (const c of s.checks) {
        const before = prior.get(`${s.service}>${c.id}`);
        if (before && before.status === c.status) continue;
        changed.push({ service: s.service, check: c.id, status: c.status, fact: c.fact, since: now });
        if (before?.status === 'passed' && c.status === 'failed' && !c.exemption) newlyFailing.set(s.service, [...(newlyFailing.get(s.service) ?? []), `${c.id}: ${c.fact}`]);
      }
    }
    for (const row of changed) {
      await tx
        .insertInto('scorecard_checks')
        .values(row)
        .onConflict((oc) => oc.columns(['service', 'check']).doUpdateSet({ status: row.status, fact: row.fact, since: row.since }))
        .execute();
    }
    const byService = new Map(scores.map((s) => [s.service, s]));
    await enqueueWork(
      tx,
      [...newlyFailing].map(([service, lines]) => {
        const score = byService.get(service)!;
        const payload: NoticePayload = {
          service,
          title: `${service}: ${lines.length === 1 ? 'a scorecard check' : `${lines.length} scorecard checks`} started failing`,
          lines: [...lines, `${service} is at ${score.levelName}${score.expected ? ` (its ${score.phase} phase expects level ${score.expected})` : ''}.`, `prodeng scorecard --service ${service}`],
        };
        return { kind: SCORECARD_NOTICE_WORK, subject: service, payload };
      }),
      now,
    );
    const taken = new Set((await tx.selectFrom('scorecard_snapshots').select('service').where('day', '=', day).execute()).map((r) => r.service));
    const due = scores.filter((s) => !taken.has(s.service));
    for (let i = 0; i < due.length; i += 200) {
      await tx
        .insertInto('scorecard_snapshots')
        .values(due.slice(i, i + 200).map((s) => ({ service: s.service, day, level: s.level, passed: s.counts.passed, failed: s.counts.failed, not_measured: s.counts.notMeasured, taken_at: now })))
        .execute();
    }
    await tx.deleteFrom('scorecard_snapshots').where('taken_at', '<', now - SNAPSHOT_RETENTION_MS).execute();
    return { newlyFailing, snapshots: due.length };
  });
}

/** Tells each member of the service's team, by each of their channels, and records what happened. */
export async function sendScorecardNotice(store: Store, directory: PagingDirectory, payload: unknown, now: number): Promise<void> {
  const notice = payload as NoticePayload;
  await tellTeam(directory, notice, (detail) => store.db.insertInto('scorecard_notices').values({ service: notice.service, at: now, title: notice.title, detail }).execute());
}

/** A service's daily scores, oldest first. */
export async function scoreHistory(db: DbOrTx, service: string, sinceMs: number) {
  const rows = await db.selectFrom('scorecard_snapshots').selectAll().where('service', '=', service).where('taken_at', '>=', sinceMs).orderBy('day').execute();
  return rows.map((r) => ({ day: r.day, level: Number(r.level), passed: Number(r.passed), failed: Number(r.failed), notMeasured: Number(r.not_measured) }));
}
