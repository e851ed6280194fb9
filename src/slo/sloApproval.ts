import type { DbOrTx } from '../store/store.js';
import { budgetState } from './sloGate.js';
import { lastEvaluations } from './sliStore.js';
import type { SloDoc } from './sloKind.js';

/**
 * Asked before a remediation acts: whether an SLO's error-budget policy
 * wants a human to approve this runbook now, and why (null: it does not).
 * Judged from each SLO's last evaluation, so every replica answers alike.
 */
export type SloApprovalCheck = (db: DbOrTx, runbook: string) => Promise<string | null>;

export function sloApprovalCheck(slos: SloDoc[]): SloApprovalCheck | undefined {
  const guarding = slos.filter((s) => s.spec.policy.requireApproval);
  if (guarding.length === 0) return undefined;
  return async (db, runbook) => {
    const relevant = guarding.filter((s) => s.spec.policy.requireApproval!.runbooks.includes(runbook));
    if (relevant.length === 0) return null;
    const status = await lastEvaluations(db, relevant.map((s) => s.name));
    for (const slo of relevant) {
      const st = status.get(slo.name);
      if (!st) continue;
      const { when } = slo.spec.policy.requireApproval!;
      const state = budgetState(slo, st);
      if (state === 'exhausted' || (when === 'at-risk' && state === 'at-risk')) {
        return `SLO ${slo.name} has ${(st.budgetRemaining * 100).toFixed(1)}% of its error budget left (${state === 'exhausted' ? 'exhausted' : 'at risk'}); its policy asks a human to approve runbook ${runbook}`;
      }
    }
    return null;
  };
}
