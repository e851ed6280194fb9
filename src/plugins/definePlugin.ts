/**
 * The public API for TypeScript remediation plugins: `import { definePlugin }
 * from 'prodeng/plugin'`. Everything here is types plus one identity
 * function, so a plugin compiles against it without pulling in the server.
 */
import type { z } from 'zod';
import type { ActionResult, RiskLevel } from '../actions/action.js';
import type { execParams } from '../actions/exec.js';
import type { httpParams } from '../actions/http.js';
import type { healthCheckSchema } from '../actions/probe.js';
import type { sshParams } from '../actions/ssh.js';
import type { runbookSpecSchema } from '../remediation/runbookKind.js';
import type { AlertView } from '../intake/alertView.js';

export type { ActionResult, RiskLevel };

/** The alert that started the remediation, as it is when the plugin runs (the API's alert view). */
export type PluginAlert = AlertView;

/**
 * The actions a plugin may call. Each call is checked against the action's
 * parameter schema and the plugin's declared `risk`, written to the audit
 * trail (start, end, output) and cancelled with the step.
 */
export interface PluginActions {
  exec(params: z.input<typeof execParams>): Promise<ActionResult>;
  ssh(params: z.input<typeof sshParams>): Promise<ActionResult>;
  http(params: z.input<typeof httpParams>): Promise<ActionResult>;
  probe(params: z.input<typeof healthCheckSchema>): Promise<ActionResult>;
  wait(params: { duration: string | number }): Promise<ActionResult>;
  /** any registered action by name (fleet actions and others added later) */
  run(action: string, params: unknown): Promise<ActionResult>;
}

export interface PluginContext {
  alert: PluginAlert;
  /** the rendered `target` template: what this remediation acts on */
  target: string;
  remediationId: number;
  actions: PluginActions;
  /** a line in the remediation's audit trail */
  log(message: string, data?: Record<string, unknown>): void;
  /** aborted when the step's timeout passes; stop work and return */
  signal: AbortSignal;
}

/** What `remediate` reports. Returning nothing means it worked; throwing means it failed. */
export interface PluginOutcome {
  ok: boolean;
  /** one line for the audit trail */
  summary: string;
  output?: Record<string, unknown>;
}

/** The runbook fields a plugin shares with a YAML `Runbook` (match, target, verify, onFailure, safety…), minus `steps`. */
export type PluginRunbookFields = Omit<z.input<typeof runbookSpecSchema>, 'steps'>;

export interface PluginDefinition extends PluginRunbookFields {
  /** unique among runbooks and plugins, e.g. "rotate-web-logs" */
  name: string;
  description?: string;
  /**
   * The most harmful action `remediate` may call (default `disruptive`). A
   * call to a riskier action fails the step; `destructive` asks for approval
   * before the plugin runs at all.
   */
  risk?: RiskLevel;
  /** safe to run again after a crash mid-run (default false: a human decides) */
  idempotent?: boolean;
  /** how long `remediate` may run, e.g. "2m" (default 5m) */
  timeout?: string | number;
  remediate(ctx: PluginContext): Promise<PluginOutcome | void>;
}

/** Declares a plugin; the identity at run time, there for the types. */
export function definePlugin(def: PluginDefinition): PluginDefinition {
  return def;
}
