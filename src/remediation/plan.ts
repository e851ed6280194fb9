import type { ConfigDoc } from '../config/index.js';
import { actionNamed } from '../actions/registry.js';
import type { RiskLevel } from '../actions/action.js';
import type { FiringAlert } from '../intake/ingest.js';
import { ESCALATE, PLUGIN_ACTION, type PluginStepParams, type RunbookSpec, type RunbookStep } from './runbookKind.js';
import { renderParams, renderTemplate, type TemplateContext } from './templates.js';
import type { HealthCheck } from '../probes/healthCheck.js';

export interface PlannedStep {
  name: string;
  action: string;
  risk: RiskLevel | 'human';
  params: unknown;
  idempotent: boolean;
  timeoutMs: number | null;
}

/** A runbook rendered for one alert: exactly what would run, before anything runs. */
export interface RemediationPlan {
  runbook: string;
  target: string;
  steps: PlannedStep[];
  /** the ladder: each rung runs and is verified before the next */
  onFailure: PlannedStep[];
  /** a check that must still fail just before acting (the target is still broken) */
  confirm: HealthCheck | null;
  verify: { alertResolvedWithin?: number | undefined; probe?: HealthCheck | undefined; within: number } | null;
  safety: RunbookSpec['safety'];
  /** the maxUnhealthy scope this target belongs to, e.g. "cluster=eu-1" */
  scope: string | null;
  manualMinutes: number;
}

/** A refused plan names its cause in words that are the same for every alert it refuses, so refusals group by cause. */
export type PlanOutcome = { ok: true; plan: RemediationPlan } | { ok: false; target: string; reason: string; cause: string };

export function templateContext(alert: FiringAlert, target?: string): TemplateContext {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    alert: {
      id: alert.id,
      fingerprint: alert.fingerprint,
      summary: alert.summary,
      severity: alert.severity,
      service: alert.service,
      host: alert.host,
      source: alert.source,
      status: alert.status,
    },
    ...(target !== undefined ? { target } : {}),
  };
}

function planStep(step: RunbookStep, index: number, ctx: TemplateContext, missing: string[]): PlannedStep {
  if (step.action === ESCALATE) {
    return { name: step.name ?? 'escalate', action: ESCALATE, risk: 'human', params: {}, idempotent: true, timeoutMs: null };
  }
  if (step.action === PLUGIN_ACTION) {
    const params = step.with as unknown as PluginStepParams;
    return { name: step.name ?? 'remediate', action: PLUGIN_ACTION, risk: params.risk, params, idempotent: step.idempotent, timeoutMs: step.timeout ?? null };
  }
  const action = actionNamed(step.action)!;
  const rendered = renderParams(step.with, ctx, missing);
  return {
    name: step.name ?? `${step.action}-${index + 1}`,
    action: step.action,
    risk: action.risk,
    params: action.params.parse(rendered),
    idempotent: step.idempotent,
    timeoutMs: step.timeout ?? null,
  };
}

/**
 * Renders target and steps. A target or parameter that renders empty is
 * refused: an empty set read as "everything" is how automation turns one
 * failure into an outage.
 */
export function planRemediation(runbook: ConfigDoc<RunbookSpec>, alert: FiringAlert): PlanOutcome {
  const spec = runbook.spec;
  const rendered = renderTemplate(spec.target, templateContext(alert));
  const target = rendered.value.trim();
  if (rendered.missing.length > 0 || target === '') {
    return { ok: false, target, cause: `target ${spec.target} renders empty`, reason: `target "${spec.target}" rendered empty (${rendered.missing.join(', ') || 'no value'}); refusing to act on an empty target` };
  }
  if (target === '*' || target.toLowerCase() === 'all') return { ok: false, target, cause: 'the target would cover every host', reason: `target "${target}" would cover every host; refusing` };
  const ctx = templateContext(alert, target);
  const missing: string[] = [];
  let steps: PlannedStep[];
  let onFailure: PlannedStep[];
  let confirm: HealthCheck | null;
  let verify: RemediationPlan['verify'];
  try {
    steps = spec.steps.map((s, i) => planStep(s, i, ctx, missing));
    onFailure = spec.onFailure.map((s, i) => planStep(s, i, ctx, missing));
    // a probe's URL can refuse a value too (a ".." path segment, a host that is not a host name): refused here, not thrown into intake
    confirm = spec.confirm ? (renderParams(spec.confirm, ctx, missing) as HealthCheck) : null;
    verify = spec.verify ? { ...spec.verify, probe: spec.verify.probe ? (renderParams(spec.verify.probe, ctx, missing) as HealthCheck) : undefined } : null;
  } catch (err) {
    return { ok: false, target, cause: 'the steps do not render to valid parameters', reason: `the steps do not render to valid parameters: ${(err as Error).message}` };
  }
  if (missing.length > 0) {
    return { ok: false, target, cause: `step parameters render empty (${[...new Set(missing)].join(', ')})`, reason: `step parameters rendered empty (${[...new Set(missing)].join(', ')}); refusing to run half-filled commands` };
  }
  let scope: string | null = null;
  const per = spec.safety.maxUnhealthy?.per;
  if (per) {
    const value = per === 'service' ? alert.service : (Object.hasOwn(alert.labels, per) ? alert.labels[per] : undefined);
    if (!value) return { ok: false, target, cause: `alerts without ${per} (maxUnhealthy is per ${per})`, reason: `maxUnhealthy is per ${per}, but the alert has no ${per}; refusing to act without knowing the scope` };
    scope = `${per}=${value}`;
  }
  return {
    ok: true,
    plan: { runbook: runbook.name, target, steps, onFailure, confirm, verify, safety: spec.safety, scope, manualMinutes: spec.manualMinutes },
  };
}
