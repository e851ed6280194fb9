import type { DbOrTx, Store } from '../store/store.js';
import { enqueueWork } from '../store/workQueue.js';
import type { PagingDirectory } from '../paging/directory.js';
import { tellTeam } from '../paging/tellTeam.js';
import type { SloDoc } from './sloKind.js';
import type { SloStatus } from './burnRate.js';
import type { BudgetState } from './sloGate.js';

export const SLO_NOTICE_WORK = 'slo.notice';

interface NoticePayload {
  slo: string;
  service: string;
  state: 'at-risk' | 'exhausted';
  title: string;
  lines: string[];
}

const worse: Record<BudgetState, number> = { healthy: 0, 'at-risk': 1, exhausted: 2 };

/**
 * The error-budget policy's notice: when an SLO's budget goes at risk or
 * runs out (and its policy names that state), the owning team is told once,
 * committed with the evaluation that saw it. A budget that recovers and
 * worsens again tells them again.
 */
/** Whether the budget went to a worse state the SLO's policy tells the team about. */
export function budgetNoticeDue(slo: SloDoc, before: BudgetState | null, after: BudgetState): after is 'at-risk' | 'exhausted' {
  return after !== 'healthy' && worse[after] > worse[before ?? 'healthy'] && slo.spec.policy.notify.includes(after);
}

export async function noticeBudgetChange(db: DbOrTx, slo: SloDoc, before: BudgetState | null, after: BudgetState, status: SloStatus, now: number): Promise<void> {
  if (!budgetNoticeDue(slo, before, after)) return;
  const left = `${(status.budgetRemaining * 100).toFixed(1)}%`;
  const title = after === 'exhausted' ? `SLO ${slo.name} has used its whole error budget` : `SLO ${slo.name} is at risk: ${left} of its error budget left`;
  const gate = slo.spec.policy.gate;
  const lines = [
    `${slo.name}: ${slo.spec.objective}% for service ${slo.spec.service}; ${left} of the error budget left.`,
    gate !== 'never' && (gate === 'at-risk' || after === 'exhausted') ? `Its gate now denies deploys and changes (GET /api/v1/slos/${slo.name}/gate).` : `Its gate still allows changes.`,
    `prodeng slo show ${slo.name}`,
  ];
  const payload: NoticePayload = { slo: slo.name, service: slo.spec.service, state: after, title, lines };
  await enqueueWork(db, [{ kind: SLO_NOTICE_WORK, subject: slo.name, payload }], now);
}

/** Sends one notice to each member of the SLO's team by each of their channels, and records what happened. */
export async function sendSloNotice(store: Store, directory: PagingDirectory, payload: unknown, now: number): Promise<void> {
  const notice = payload as NoticePayload;
  const record = (detail: string) =>
    store.db.insertInto('slo_policy_events').values({ slo: notice.slo, at: now, state: notice.state, action: 'notify', detail }).execute();
  await tellTeam(directory, notice, record);
}

/** What the policy did for an SLO, newest first. */
export async function policyEvents(db: DbOrTx, slo: string, limit = 50) {
  const rows = await db.selectFrom('slo_policy_events').selectAll().where('slo', '=', slo).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ at: new Date(Number(r.at)).toISOString(), state: r.state, action: r.action, detail: r.detail }));
}
