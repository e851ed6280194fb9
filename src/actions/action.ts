import type { z } from 'zod';
import type { Fleet } from '../fleet/fleet.js';

/** How much harm an action can do if it is wrong: the gates treat each level differently (destructive needs approval). */
export type RiskLevel = 'safe' | 'disruptive' | 'destructive';

export interface ActionContext {
  /** aborted when the step times out or the remediation is cancelled */
  signal: AbortSignal;
  /** a line in the audit trail of the remediation */
  log(message: string, data?: Record<string, unknown>): void;
  /** the fleet, for host actions (absent where no fleet runs) */
  fleet?: Fleet | undefined;
  /** who acts, for the records it leaves: "remediation 12 (restart-web)" */
  actor?: string | undefined;
}

export interface ActionResult {
  ok: boolean;
  /** one line for the audit trail: what happened */
  summary: string;
  /** what the action produced (exit code, truncated output, status…), kept with the step */
  output: Record<string, unknown>;
}

/** One kind of step a runbook can take. Parameters are parsed by `params` before `run` sees them. */
export interface ActionDefinition<P = unknown> {
  name: string;
  description: string;
  risk: RiskLevel;
  params: z.ZodType<P, any>;
  run(params: P, ctx: ActionContext): Promise<ActionResult>;
}

export function defineAction<P>(def: ActionDefinition<P>): ActionDefinition<P> {
  return def;
}
