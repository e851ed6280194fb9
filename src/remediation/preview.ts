import type { ConfigDoc } from '../config/index.js';
import type { AlertView } from '../intake/alertView.js';
import type { DbOrTx } from '../store/store.js';
import { automationState } from './automationSwitch.js';
import { evaluateGates, type GateDecision, type GlobalLimits, type ScopeSize } from './gates.js';
import { planRemediation, type RemediationPlan } from './plan.js';
import type { RunbookSpec } from './runbookKind.js';
import { chooseRunbook, type RunbookVerdict } from './runbookMatching.js';

export interface PlanPreview {
  alert: number;
  runbook: string | null;
  verdicts: Array<Pick<RunbookVerdict, 'runbook' | 'matches' | 'reason'>>;
  plan: RemediationPlan | null;
  /** why nothing would run, when nothing would */
  refused: string | null;
  gates: GateDecision[];
  automationPaused: boolean;
  dryRun: boolean;
}

/** What automation would do about this alert right now, without doing it. */
export async function previewPlan(
  db: DbOrTx,
  runbooks: ConfigDoc<RunbookSpec>[],
  alert: AlertView,
  now: number,
  opts: { scopeSize: ScopeSize; dryRun: boolean; global?: GlobalLimits },
): Promise<PlanPreview> {
  // Preview the alert as if it were firing and unsilenced, and say so.
  const asFiring = { ...alert, status: 'firing' as const, silenced: false as const };
  const choice = chooseRunbook(runbooks, alert);
  const base = {
    alert: alert.id,
    runbook: choice.chosen,
    verdicts: choice.verdicts.map(({ runbook, matches, reason }) => ({ runbook, matches, reason })),
    automationPaused: (await automationState(db)).paused,
  };
  if (!choice.chosen) return { ...base, plan: null, refused: 'no runbook applies', gates: [], dryRun: opts.dryRun };
  const runbook = runbooks.find((r) => r.name === choice.chosen)!;
  const planned = planRemediation(runbook, asFiring);
  const dryRun = opts.dryRun || runbook.spec.safety.dryRun;
  if (!planned.ok) return { ...base, plan: null, refused: planned.reason, gates: [], dryRun };
  const gates = await evaluateGates(db, { id: 0, plan: planned.plan }, now, opts.scopeSize, opts.global);
  return { ...base, plan: planned.plan, refused: null, gates, dryRun };
}
