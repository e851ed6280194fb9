import { sql } from 'kysely';
import { attachToIncident, GROUPING_WINDOW_MS, handOverToHuman } from '../incidents/handover.js';
import type { DbOrTx, StoreDialect, Tx } from '../store/store.js';

/** Automation would not act on a firing alert that matched a runbook. */
export interface Refusal {
  runbook: string;
  /** the same words for every alert refused for this reason: incidents group by it */
  cause: string;
  /** this alert's reason, for the story */
  reason: string;
  service: string | null;
  remediationId: number;
  alertIds: number[];
}

export function refusalTitle(r: Pick<Refusal, 'runbook' | 'cause'>): string {
  return `automation refused to act: ${r.cause} (runbook ${r.runbook})`;
}

/**
 * A refusal reaches a human: the first of a cause opens an incident (and
 * pages); later alerts refused for the same cause while it is open join it,
 * so a hundred unscoped alerts are one page, not a hundred, and not none.
 * Returns the incident's id.
 */
export async function handRefusalToHuman(tx: Tx, dialect: StoreDialect, refusal: Refusal, now: number): Promise<number> {
  const title = refusalTitle(refusal);
  // Refusals of one cause are decided side by side: the look for its open incident and the opening happen under one lock.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`prodeng.refusal:${title}`}))`.execute(tx);
  const story = [`${new Date(now).toISOString()} remediation ${refusal.remediationId}: ${refusal.reason}`];
  const open = await openIncidentTitled(tx, title, now);
  if (open) {
    await attachToIncident(tx, open, refusal.alertIds, `also refused: ${refusal.reason}`, story, now);
    return open.id;
  }
  return handOverToHuman(
    tx,
    {
      title,
      service: refusal.service,
      remediationId: refusal.remediationId,
      alertIds: refusal.alertIds,
      story: [...story, `automation matched runbook ${refusal.runbook} but would not act; a human has to decide (set safety.onRefusal: skip in the runbook to only record such refusals)`],
    },
    now,
  );
}

export async function openIncidentTitled(db: DbOrTx, title: string, now: number) {
  return db
    .selectFrom('incidents')
    .select(['id', 'alert_ids'])
    .where('title', '=', title)
    .where('status', 'in', ['open', 'acknowledged'])
    .where('created_at', '>=', now - GROUPING_WINDOW_MS)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
