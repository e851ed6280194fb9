import type { Db } from '../store/store.js';
import type { SloStatus } from './burnRate.js';
import type { SloDoc } from './sloKind.js';

export type BudgetState = 'healthy' | 'at-risk' | 'exhausted';

export function budgetState(slo: SloDoc, status: SloStatus): BudgetState {
  if (status.exhausted) return 'exhausted';
  return status.budgetRemaining * 100 < slo.spec.policy.atRiskBelow ? 'at-risk' : 'healthy';
}

export interface GateOverride {
  id: number;
  createdBy: string;
  reason: string;
  createdAt: string;
  expiresAt: string;
}

export interface GateAnswer {
  slo: string;
  allow: boolean;
  state: BudgetState;
  budgetRemaining: number;
  reason: string;
  override: GateOverride | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function activeOverride(db: Db, slo: string, now: number): Promise<GateOverride | null> {
  const row = await db
    .selectFrom('slo_gate_overrides')
    .selectAll()
    .where('slo', '=', slo)
    .where('expires_at', '>', now)
    .where('revoked_at', 'is', null)
    .orderBy('expires_at', 'desc')
    .executeTakeFirst();
  return row ? { id: Number(row.id), createdBy: row.created_by, reason: row.reason, createdAt: iso(Number(row.created_at)), expiresAt: iso(Number(row.expires_at)) } : null;
}

/**
 * What the SLO's error-budget policy says of a change now, for CI or a
 * deploy tool to ask before it ships: denied while the budget is spent (or
 * at risk, as the policy says), unless someone overrode the gate, on the record.
 */
export async function answerGate(db: Db, slo: SloDoc, status: SloStatus, now: number): Promise<GateAnswer> {
  const state = budgetState(slo, status);
  const left = `${(status.budgetRemaining * 100).toFixed(1)}% of the error budget left`;
  const gate = slo.spec.policy.gate;
  const denies = gate === 'exhausted' ? state === 'exhausted' : gate === 'at-risk' ? state !== 'healthy' : false;
  const base = { slo: slo.name, state, budgetRemaining: status.budgetRemaining };
  if (!denies) return { ...base, allow: true, reason: `${state}: ${left}`, override: null };
  const override = await activeOverride(db, slo.name, now);
  if (override) return { ...base, allow: true, reason: `${state} (${left}), but ${override.createdBy} overrode the gate until ${override.expiresAt}: ${override.reason}`, override };
  return { ...base, allow: false, reason: `${state}: ${left}; the policy denies changes ${gate === 'at-risk' ? 'while the budget is at risk' : 'once the budget is spent'}`, override: null };
}
