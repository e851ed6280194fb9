import { z } from 'zod';
import { defineKind, durationSchema, type ConfigDoc } from '../config/index.js';
import { mustExist } from '../config/references.js';
import { configErrorMap } from '../config/issueMessages.js';
import { compileMatcher, type Matcher } from '../intake/matchers.js';
import { actionNamed, actionNames } from '../actions/registry.js';
import { templateProblems } from './templates.js';
import { healthCheckSchema } from '../actions/probe.js';
import type { RiskLevel } from '../actions/action.js';
import type { LoadedConfig } from '../config/loadedConfig.js';

/**
 * `match` values: a plain value means equality; a value that starts with
 * `=~`, `!~`, `!=` or `=` uses that operator, Alertmanager's four:
 *   match: { alertname: WebDown, instance: "=~web-.*", env: "!=staging", team: "!~qa|test" }
 * Regexes are anchored, as in Alertmanager.
 */
export function matcherFromEntry(name: string, raw: string): Matcher {
  const op = /^(=~|!~|!=|=)/.exec(raw)?.[1];
  const value = op ? raw.slice(op.length) : raw;
  const matcher: Matcher = { name, value, isRegex: op === '=~' || op === '!~', isEqual: op !== '!=' && op !== '!~' };
  compileMatcher(matcher);
  return matcher;
}

const matchSchema = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'), z.string()).transform((entries, ctx) => {
  const matchers: Matcher[] = [];
  for (const [name, raw] of Object.entries(entries)) {
    try {
      matchers.push(matcherFromEntry(name, raw));
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [name], message: (err as Error).message });
    }
  }
  return matchers;
});

// Probes are templated (`url: "http://lb.internal/members/{{ labels.node }}"`,
// or a templated host beside allowedHosts) and rendered per alert, so here
// they keep their raw shape.
const probeSchema = healthCheckSchema;

const stepSchema = z
  .object({
    name: z.string().optional(),
    action: z.string().min(1),
    with: z.record(z.string(), z.unknown()).default({}),
    timeout: durationSchema.optional(),
    /** re-run after a crash mid-step (true), or escalate as interrupted (false, the default) */
    idempotent: z.boolean().default(false),
  })
  .strict();

const percentOrCount = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?%$/, 'write a number of hosts (3) or a percentage ("10%")'),
]);

export const runbookSpecSchema = z
  .object({
    match: matchSchema,
    service: z.string().optional(),
    target: z.string().min(1, 'say what the remediation acts on, e.g. "{{ labels.instance }}"'),
    manualMinutes: z.number().nonnegative().default(0),
    confirm: probeSchema.optional(),
    steps: z.array(stepSchema).min(1, 'a runbook needs at least one step'),
    verify: z
      .object({ alertResolvedWithin: durationSchema.optional(), probe: probeSchema.optional(), within: durationSchema.default(120_000) })
      .strict()
      .refine((v) => v.alertResolvedWithin !== undefined || v.probe !== undefined, 'give alertResolvedWithin, probe, or both')
      .optional(),
    onFailure: z.array(stepSchema).default([]),
    safety: z
      .object({
        maxUnhealthy: z.object({ per: z.string().min(1), max: percentOrCount }).strict().optional(),
        cooldown: durationSchema.optional(),
        maxAttempts: z.object({ count: z.number().int().positive(), within: durationSchema }).strict().optional(),
        rateLimit: z.object({ count: z.number().int().positive(), per: durationSchema }).strict().optional(),
        maxConcurrent: z.number().int().positive().optional(),
        dryRun: z.boolean().default(false),
        requireApproval: z.boolean().default(false),
        approvalTimeout: durationSchema.default(3_600_000),
        stormCooldown: durationSchema.optional(),
        /** a refusal to act (no scope, an empty target, a gate that will not let it) goes to a human unless this says skip */
        onRefusal: z.enum(['escalate', 'skip'], { error: 'must be escalate (a human is told) or skip (recorded only)' }).default('escalate'),
      })
      .strict()
      .default({ dryRun: false, requireApproval: false, approvalTimeout: 3_600_000, onRefusal: 'escalate' }),
  })
  .strict();

export type RunbookSpec = z.output<typeof runbookSpecSchema>;
export type RunbookStep = z.output<typeof stepSchema>;

/** Handed to the engine, not an action module: it ends automation and calls a human. */
export const ESCALATE = 'escalate';

/**
 * The one step of a runbook made from a TypeScript plugin: runs the
 * plugin's `remediate`. YAML runbooks cannot name it; `with` carries the
 * plugin's name and declared risk.
 */
export const PLUGIN_ACTION = 'plugin';
export interface PluginStepParams {
  plugin: string;
  risk: RiskLevel;
}

function stepProblems(steps: RunbookStep[], list: 'steps' | 'onFailure') {
  return steps.flatMap((step, i) => {
    const at = ['spec', list, i];
    if (step.action === ESCALATE) return [];
    const action = actionNamed(step.action);
    if (!action) {
      return [{ path: [...at, 'action'], message: `unknown action "${step.action}" (known: ${[...actionNames(), ESCALATE].join(', ')})` }];
    }
    const problems = templateProblems(step.with, [...at, 'with']);
    const parsed = action.params.safeParse(step.with, { error: configErrorMap });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ path: [...at, 'with', ...(issue.path as Array<string | number>)], message: issue.message });
    }
    return problems;
  });
}

/** What the schema alone cannot see: services that exist, templates that parse, actions and their parameters. */
export function runbookProblems(spec: RunbookSpec, config: LoadedConfig) {
  return [
    ...mustExist(config, 'Service', spec.service, ['spec', 'service']),
    ...templateProblems(spec.target, ['spec', 'target']),
    ...templateProblems(spec.verify?.probe, ['spec', 'verify', 'probe']),
    ...templateProblems(spec.confirm, ['spec', 'confirm']),
    ...stepProblems(spec.steps, 'steps'),
    ...stepProblems(spec.onFailure, 'onFailure'),
  ];
}

export const runbookKind = defineKind({
  kind: 'Runbook',
  spec: runbookSpecSchema,
  references: (doc: ConfigDoc<RunbookSpec>, config) => runbookProblems(doc.spec, config),
});
