import { z } from 'zod';
import { defineKind, durationSchema, mustExist, type ConfigDoc, type LoadedConfig, type ReferenceProblem } from '../config/index.js';
import { isTimeZone } from '../config/kinds.js';
import { CALENDAR_PERIODS } from './sloWindow.js';

const WINDOW_PLACEHOLDER = /\{\{\s*\.?window\s*\}\}/g;
const hasWindow = (q: string) => new RegExp(WINDOW_PLACEHOLDER.source).test(q);

/** A query with its range filled in. */
export function withWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER, window);
}

/** A rolling window (`30d`) or a calendar one that resets at 00:00 of its time zone (a week on Monday). */
const windowSchema = z.union([
  durationSchema.refine((ms) => ms >= 3_600_000, 'a rolling window is at least 1h, e.g. 30d or 28d'),
  z
    .object({
      calendar: z.enum(CALENDAR_PERIODS, { error: 'must be day, week, month, quarter or year' }),
      timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC').default('UTC'),
    })
    .strict(),
]);

/** What happens when an SLO's budget is at risk or spent (an SLO's own, or its team's SLOPolicy). */
export const sloPolicySchema = z
  .object({
    /** below this share of the budget left (percent) the SLO is at risk */
    atRiskBelow: z.number().gt(0).lt(100).default(25),
    /** what GET /api/v1/slos/NAME/gate denies: deploys and changes once the budget is exhausted, already when at risk, or never */
    gate: z.enum(['exhausted', 'at-risk', 'never'], { error: 'must be exhausted, at-risk or never' }).default('exhausted'),
    /** when the budget goes at risk or runs out, the owning team's members are told (by their usual channels; nobody is paged) */
    notify: z.array(z.enum(['at-risk', 'exhausted'], { error: 'must be at-risk or exhausted' })).default(['at-risk', 'exhausted']),
    /** these runbooks ask a human before acting while the budget is spent (or at risk): automation must not spend what is left */
    requireApproval: z
      .object({
        runbooks: z.array(z.string().min(1)).min(1, 'name at least one Runbook'),
        when: z.enum(['exhausted', 'at-risk'], { error: 'must be exhausted or at-risk' }).default('exhausted'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SloPolicy = z.output<typeof sloPolicySchema>;
export const DEFAULT_SLO_POLICY: SloPolicy = { atRiskBelow: 25, gate: 'exhausted', notify: ['at-risk', 'exhausted'] };

const sloFields = z
  .object({
    service: z.string({ error: (issue) => (issue.input === undefined ? 'is required: the Service this objective is for' : undefined) }).min(1),
    description: z.string().optional(),
    /** the share of good events to reach, in percent (99.9); of good slices with Timeslices, the mean slice ratio with RatioTimeslices */
    objective: z.number().gt(0, 'must be above 0 (a percentage such as 99.9)').lt(100, 'must be below 100: an objective of 100% leaves no error budget'),
    window: windowSchema.default(30 * 86_400_000),
    /**
     * Occurrences: every event counts. Timeslices: the window is cut into
     * slices and the objective is the share of good slices. RatioTimeslices:
     * the objective is the mean of the slices' good ratios.
     */
    budgetingMethod: z
      .enum(['Occurrences', 'Timeslices', 'RatioTimeslices'], { error: 'must be Occurrences (every event counts), Timeslices (the share of good slices) or RatioTimeslices (the mean ratio of the slices)' })
      .default('Occurrences'),
    /** with Timeslices and RatioTimeslices: how long a slice is, and (Timeslices) what makes one good */
    timeslice: z
      .object({
        /** whole minutes from 1m to 1h; slices are aligned to the epoch, so a 5m slice is 10:00-10:05 */
        window: durationSchema
          .superRefine((ms, ctx) => {
            const problem = ms < 60_000 || ms > 3_600_000 ? 'must be at least 1m and at most 1h, e.g. 1m or 5m' : ms % 60_000 !== 0 ? 'must be whole minutes, e.g. 1m or 5m' : null;
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .optional(),
        /** Timeslices: a slice is good when at least this percent of its events are good */
        objective: z.number({ error: 'must be a percentage such as 95' }).gt(0, 'must be above 0 (a percentage such as 95)').lte(100, 'must be at most 100').optional(),
      })
      .strict()
      .optional(),
    /** what counts as good: pushed counts, or the service's probe results */
    indicator: z.union([
      z.object({ events: z.object({}).strict() }).strict(),
      z
        .object({
          probe: z
            .object({
              /** one Probe's results; without it, every probe result of the service */
              name: z.string().optional(),
              /** a result slower than this is bad even when the check passed */
              latencyBelow: durationSchema.optional(),
            })
            .strict(),
        })
        .strict(),
      z
        .object({
          /** a Heartbeat: each minute it is on schedule is a good event, each minute it is overdue a bad one */
          heartbeat: z.object({ name: z.string().min(1, 'must name a Heartbeat') }).strict(),
        })
        .strict(),
      z
        .object({
          /**
           * PromQL for the rate of bad and of all events, with `{{window}}` (Sloth's
           * `{{.window}}` too) where the range goes: prodeng asks Prometheus for the
           * last minute's, and `prodeng slo rules` writes recording rules for each window.
           */
          prometheus: z
            .object({
              /** where prodeng asks (default: PRODENG_PROMETHEUS_URL) */
              url: z.url({ error: 'must be the URL of a Prometheus server, e.g. http://prometheus:9090' }).optional(),
              errorQuery: z.string().refine(hasWindow, 'must contain {{window}} where the range goes, e.g. rate(http_requests_total{code=~"5.."}[{{window}}])'),
              totalQuery: z.string().refine(hasWindow, 'must contain {{window}} where the range goes, e.g. rate(http_requests_total[{{window}}])'),
            })
            .strict(),
        })
        .strict(),
      z
        .object({
          /**
           * Other SLOs, combined: each minute is the weighted mean of their burn
           * rates, each against its own objective (src/slo/compositeIndicator.ts).
           */
          composite: z
            .array(
              z
                .object({
                  slo: z.string().min(1, 'must name an SLO'),
                  /** how much this SLO counts in the mean (default 1) */
                  weight: z.number().gt(0, 'must be above 0').default(1),
                })
                .strict(),
            )
            .min(2, 'a composite combines at least two SLOs'),
        })
        .strict(),
    ], { error: 'give indicator.events: {} (counts pushed to POST /api/v1/slis/NAME/events), indicator.probe, indicator.heartbeat, indicator.prometheus or indicator.composite' }),
    alerting: z
      .object({
        /** fewer bad events than this in a tier's long window never alerts, so a quiet hour's few errors do not page */
        minBadEvents: z.number().int().min(1).default(10),
        /** with no event at all for this long, a no-data alert */
        noDataAfter: durationSchema.default(3_600_000),
        page: z.boolean().default(true),
        ticket: z.boolean().default(true),
      })
      .strict()
      .default({ minBadEvents: 10, noDataAfter: 3_600_000, page: true, ticket: true }),
    /** the error-budget policy: when the SLO is at risk, and what its gate denies */
    policy: sloPolicySchema.default(DEFAULT_SLO_POLICY),
  })
  .strict();

/** Timeslices and RatioTimeslices need a slice; Occurrences has none. */
function checkBudgeting(spec: { budgetingMethod: string; timeslice?: { window?: number | undefined; objective?: number | undefined } | undefined }, ctx: z.core.$RefinementCtx): void {
    const method = spec.budgetingMethod;
    if (method === 'Occurrences') {
      if (spec.timeslice) ctx.addIssue({ code: 'custom', path: ['timeslice'], message: 'is only for budgetingMethod Timeslices or RatioTimeslices: with Occurrences every event counts' });
      return;
    }
    if (!spec.timeslice) {
      const example = method === 'Timeslices' ? '{ window: 1m, objective: 95 }' : '{ window: 1m }';
      ctx.addIssue({ code: 'custom', path: ['timeslice'], message: `is required with budgetingMethod ${method}: how long a slice is, e.g. timeslice: ${example}` });
      return;
    }
    if (spec.timeslice.window === undefined) ctx.addIssue({ code: 'custom', path: ['timeslice', 'window'], message: 'is required: how long a slice is, whole minutes from 1m to 1h, e.g. 1m or 5m' });
    if (method === 'Timeslices' && spec.timeslice.objective === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeslice', 'objective'], message: 'is required with budgetingMethod Timeslices: the percent of good events that makes a slice good, e.g. 95' });
    }
    if (method === 'RatioTimeslices' && spec.timeslice.objective !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeslice', 'objective'], message: 'is only for budgetingMethod Timeslices: with RatioTimeslices each slice counts as its ratio of good events' });
    }
}

/** An SLO as code reads it: its policy given, inherited from its team's SLOPolicy, or prodeng's default. */
export const sloSpecSchema = sloFields.superRefine(checkBudgeting);

/** An SLO as the config directory holds it: its policy inline, an SLOPolicy's name, or none (its team's, else the default); the loader resolves it. */
export const sloConfigSpecSchema = sloFields.extend({ policy: z.union([sloPolicySchema, z.string().min(1, 'must name an SLOPolicy')], { error: 'must be a policy (atRiskBelow, gate, notify, requireApproval) or the name of an SLOPolicy' }).optional() }).superRefine(checkBudgeting);

export type SloSpec = z.output<typeof sloSpecSchema>;
export type SloDoc = ConfigDoc<SloSpec>;

// Policies an SLO took from an SLOPolicy: their runbooks are checked where the SLOPolicy names them.
const inherited = new WeakSet<SloPolicy>();

export const sloKind = defineKind({
  kind: 'SLO',
  spec: sloConfigSpecSchema as unknown as z.ZodType<SloSpec>,
  resolve: (doc: SloDoc, config) => {
    const given = doc.spec.policy as SloPolicy | string | undefined;
    if (typeof given === 'object') return [];
    const policies = config.byKind<SloPolicySpec>('SLOPolicy');
    let chosen: ConfigDoc<SloPolicySpec> | undefined;
    if (typeof given === 'string') chosen = policies.get(given);
    else {
      const team = config.services.get(doc.spec.service)?.spec.owner;
      chosen = team === undefined ? undefined : [...policies.values()].find((p) => p.spec.team === team);
    }
    if (chosen) {
      const { team: _team, description: _description, ...policy } = chosen.spec;
      inherited.add((doc.spec.policy = policy));
    } else doc.spec.policy = { ...DEFAULT_SLO_POLICY };
    return typeof given === 'string' ? mustExist(config, 'SLOPolicy', given, ['spec', 'policy']) : [];
  },
  references: (doc: SloDoc, config) => [
    ...serviceProblems(doc, config),
    ...('probe' in doc.spec.indicator ? mustExist(config, 'Probe', doc.spec.indicator.probe.name, ['spec', 'indicator', 'probe', 'name']) : []),
    ...('heartbeat' in doc.spec.indicator ? mustExist(config, 'Heartbeat', doc.spec.indicator.heartbeat.name, ['spec', 'indicator', 'heartbeat', 'name']) : []),
    ...(inherited.has(doc.spec.policy) ? [] : (doc.spec.policy.requireApproval?.runbooks ?? []).flatMap((name, i) => mustExist(config, 'Runbook', name, ['spec', 'policy', 'requireApproval', 'runbooks', i]))),
    ...('composite' in doc.spec.indicator ? compositeProblems(doc, config) : []),
  ],
});

/** A composite's parts are other SLOs, each once, none of them a composite itself. */
function compositeProblems(doc: SloDoc, config: LoadedConfig): ReferenceProblem[] {
  if (!('composite' in doc.spec.indicator)) return [];
  const seen = new Set<string>();
  return doc.spec.indicator.composite.flatMap(({ slo }, i): ReferenceProblem[] => {
    const path = ['spec', 'indicator', 'composite', i, 'slo'];
    if (slo === doc.name) return [{ path, message: 'a composite cannot include itself' }];
    if (seen.has(slo)) return [{ path, message: `SLO ${slo} is already part of this composite` }];
    seen.add(slo);
    const part = config.byKind<SloSpec>('SLO').get(slo);
    if (part && 'composite' in part.spec.indicator) return [{ path, message: `SLO ${slo} is a composite itself; combine its parts instead` }];
    return mustExist(config, 'SLO', slo, path);
  });
}

/**
 * The SLO's service must be a prodeng Service, whose owner its alerts go to.
 * An OpenSLO SLO's service may be only an OpenSLO Service (or in no file
 * here): it is still evaluated, and the warning says its alerts page nobody.
 */
function serviceProblems(doc: SloDoc, config: LoadedConfig): ReferenceProblem[] {
  const problems = mustExist(config, 'Service', doc.spec.service, ['spec', 'service']);
  if (problems.length === 0 || !doc.metadata.annotations?.['openslo.com/slo']) return problems;
  return problems.map((p) => ({ ...p, severity: 'warning' as const, message: `${p.message}: SLO ${doc.name}'s alerts have no owning team and page nobody; declare a prodeng Service ${doc.spec.service} with an owner to route them` }));
}

/** A team's error-budget policy: every SLO of its services that sets none follows it; an SLO may also name one (`policy: NAME`). */
export const sloPolicySpecSchema = sloPolicySchema.extend({
  description: z.string().optional(),
  /** the Team whose SLOs follow it unless they set their own */
  team: z.string().min(1, 'must name a Team').optional(),
});
export type SloPolicySpec = z.output<typeof sloPolicySpecSchema>;

export const sloPolicyKind = defineKind({
  kind: 'SLOPolicy',
  spec: sloPolicySpecSchema,
  references: (doc: ConfigDoc<SloPolicySpec>, config) => {
    const first = [...config.byKind<SloPolicySpec>('SLOPolicy').values()].find((p) => p.spec.team !== undefined && p.spec.team === doc.spec.team);
    return [
      ...mustExist(config, 'Team', doc.spec.team, ['spec', 'team']),
      ...(first && first !== doc ? [{ path: ['spec', 'team'], message: `team ${doc.spec.team} already has SLOPolicy ${first.name} (${first.source.file}:${first.source.line}); a team has one` }] : []),
      ...(doc.spec.requireApproval?.runbooks ?? []).flatMap((name, i) => mustExist(config, 'Runbook', name, ['spec', 'requireApproval', 'runbooks', i])),
    ];
  },
});
