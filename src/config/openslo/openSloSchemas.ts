import { z } from 'zod';
import { isTimeZone } from '../kinds.js';

// OpenSLO v1 (https://github.com/OpenSLO/OpenSLO), validated by the rules of
// its reference validator (OpenSLO/go-sdk, which `oslo validate` runs): every
// object strict (an unknown field is an error), names DNS labels, exactly-one
// rules where the validator has them. The messages say what the rule says,
// then what to write.

export const OPENSLO_API_VERSION = 'openslo/v1';
export const openSloKinds = ['Service', 'SLI', 'SLO', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'] as const;
export type OpenSloKind = (typeof openSloKinds)[number];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : undefined) })
    .min(1, `must not be empty: ${what}`)
    .max(63, 'length must be between 1 and 63')
    .regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. my-name)');

const description = z.string().max(1050, 'length must be less than or equal to 1050').optional();

/** A whole number and a unit: m(inute), h, d, w, M(onth, 30 days), Q(uarter, 90 days), Y(ear, 365 days). */
export const DURATION_SHORTHAND = /^(\d+)([mhdwMQY])$/;
const durationShorthand = z.string().regex(DURATION_SHORTHAND, 'must be a duration shorthand: a whole number and one of m, h, d, w, M, Q, Y (e.g. 5m, 28d, 1M)');

const LABEL_KEY = /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const ANNOTATION_KEY_LENGTH = /^(.{0,253}\/)?.{0,63}$/;
const ANNOTATION_KEY = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;

export const openSloMetadataSchema = z
  .object({
    name: dnsLabel('a name for the object'),
    displayName: z.string().max(63, 'length must be less than or equal to 63').optional(),
    labels: z
      .record(
        z.string().regex(LABEL_KEY, 'a label name is 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'),
        z.union([z.string(), z.array(z.string())], { error: 'a label value is a string or a list of strings' }),
      )
      .optional(),
    annotations: z
      .record(
        z
          .string()
          .regex(ANNOTATION_KEY_LENGTH, 'an annotation name is at most 63 characters after an optional prefix of at most 253 and "/"')
          .regex(ANNOTATION_KEY, 'an annotation name is an optional DNS-subdomain prefix and "/", then a name of letters, digits, "-", "_" or "." (e.g. openslo.com/annotation)'),
        z.string(),
      )
      .optional(),
  })
  .strict();
export type OpenSloMetadata = z.output<typeof openSloMetadataSchema>;

const operator = z.enum(['gt', 'lt', 'gte', 'lte'], { error: (i) => (i.input === undefined ? 'is required: gt, lt, gte or lte' : 'must be one of: gt, lt, gte, lte') });

const metricSourceSchema = z
  .object({
    /** a DataSource's name */
    metricSourceRef: dnsLabel('the name of a DataSource').optional(),
    type: z.string().optional(),
    spec: z.record(z.string(), z.unknown(), { error: 'is required: the fields the source is queried with (e.g. query)' }).refine((s) => Object.keys(s).length > 0, 'length must be greater than or equal to 1: give the fields the source is queried with (e.g. query)'),
  })
  .strict();
export type MetricSource = z.output<typeof metricSourceSchema>;

const metricHolder = z.object({ metricSource: metricSourceSchema }).strict();

type Issues = z.core.$RefinementCtx;
const set = (value: unknown) => value !== undefined;

/** The validator's exactly-one rule, with its wording: names sorted, only the ones given when too many. */
function exactlyOne(ctx: Issues, obj: Record<string, unknown>, names: string[], required = true): void {
  const given = names.filter((n) => set(obj[n])).sort();
  if (given.length > 1) ctx.addIssue({ code: 'custom', message: `[${given.join(', ')}] properties are mutually exclusive, provide only one of them` });
  else if (required && given.length === 0) ctx.addIssue({ code: 'custom', message: `one of [${[...names].sort().join(', ')}] properties must be set, none was provided` });
}

const ratioMetricSchema = z
  .object({
    counter: z.boolean().optional(),
    good: metricHolder.optional(),
    bad: metricHolder.optional(),
    total: metricHolder.optional(),
    raw: metricHolder.optional(),
    rawType: z.enum(['success', 'failure'], { error: 'must be one of: success, failure' }).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (set(r.total) === set(r.raw)) return exactlyOne(ctx, r, ['raw', 'total']);
    exactlyOne(ctx, r, ['bad', 'good', 'raw'], false);
    if (set(r.total) && !set(r.good) && !set(r.bad)) exactlyOne(ctx, r, ['bad', 'good']);
    if (set(r.raw) && !set(r.rawType)) ctx.addIssue({ code: 'custom', path: ['rawType'], message: 'is required with raw: success (the raw value is the good ratio) or failure (the bad ratio)' });
  });

export const sliSpecSchema = z
  .object({
    description,
    thresholdMetric: metricHolder.optional(),
    ratioMetric: ratioMetricSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => exactlyOne(ctx, s, ['ratioMetric', 'thresholdMetric']));
export type OpenSloSliSpec = z.output<typeof sliSpecSchema>;

const inlineIndicator = z.object({ metadata: openSloMetadataSchema, spec: sliSpecSchema }).strict();

const objectiveSchema = z
  .object({
    displayName: z.string().optional(),
    op: operator.optional(),
    value: z.number().optional(),
    target: z.number().gte(0, "should be greater than or equal to '0'").lt(1, "should be less than '1' (a fraction: 0.999; or targetPercent: 99.9)").optional(),
    targetPercent: z.number().gte(0, "should be greater than or equal to '0'").lt(100, "should be less than '100'").optional(),
    timeSliceTarget: z.number().gt(0, "should be greater than '0'").lte(1, "should be less than or equal to '1' (a fraction: 0.95)").optional(),
    timeSliceWindow: durationShorthand.optional(),
    indicator: inlineIndicator.optional(),
    indicatorRef: dnsLabel('the name of an SLI').optional(),
    compositeWeight: z.number().gt(0, "should be greater than '0'").optional(),
  })
  .strict();
export type OpenSloObjective = z.output<typeof objectiveSchema>;

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const timeWindowSchema = z
  .object({
    duration: durationShorthand,
    isRolling: z.boolean().optional(),
    calendar: z
      .object({
        startTime: z.string().regex(DATE_TIME, "string must be a valid date and time in '2006-01-02 15:04:05' format"),
        timeZone: z.string().refine((tz) => tz === '' || isTimeZone(tz), 'string must be a valid IANA Time Zone Database code, e.g. Europe/Berlin or UTC'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.isRolling === true && w.calendar) ctx.addIssue({ code: 'custom', path: ['calendar'], message: "'calendar' cannot be set when 'isRolling' is true" });
    if (w.isRolling !== true && !w.calendar) ctx.addIssue({ code: 'custom', message: "'calendar' must be set when 'isRolling' is false" });
  });
export type OpenSloTimeWindow = z.output<typeof timeWindowSchema>;

const alertConditionSpecSchema = z
  .object({
    description,
    severity: z.string({ error: (i) => (i.input === undefined ? 'is required: how bad it is (e.g. page, ticket)' : undefined) }).min(1, 'property is required but was empty'),
    condition: z
      .object({
        kind: z.literal('burnrate', { error: 'must be one of: burnrate' }),
        op: operator,
        threshold: z.number(),
        lookbackWindow: durationShorthand,
        alertAfter: durationShorthand.optional(),
      })
      .strict(),
  })
  .strict();
export type OpenSloAlertConditionSpec = z.output<typeof alertConditionSpecSchema>;

const notificationTargetSpecSchema = z
  .object({
    description,
    target: z.string({ error: (i) => (i.input === undefined ? 'is required: where the notification goes (e.g. email, slack)' : undefined) }).min(1, 'property is required but was empty'),
  })
  .strict();

/** A list item that is a reference to an object of `kind` by `refField`, or the object inline. */
function refOrInline<S extends z.ZodType>(refField: string, kind: string, spec: S) {
  return z
    .object({
      [refField]: dnsLabel(`the name of an ${kind}`).optional(),
      kind: z.literal(kind, { error: `should be equal to '${kind}'` }).optional(),
      metadata: openSloMetadataSchema.optional(),
      spec: spec.optional(),
    } as { [k: string]: z.ZodType })
    .strict()
    .superRefine((item, ctx) => {
      exactlyOne(ctx, item, [refField, 'spec']);
      if (set(item.spec) && !set(item.kind)) ctx.addIssue({ code: 'custom', path: ['kind'], message: `is required inline: ${kind}` });
      if (set(item.spec) && !set(item.metadata)) ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'is required inline: metadata with a name' });
    });
}

export const alertPolicySpecSchema = z
  .object({
    description,
    alertWhenNoData: z.boolean().optional(),
    alertWhenBreaching: z.boolean().optional(),
    alertWhenResolved: z.boolean().optional(),
    conditions: z.array(refOrInline('conditionRef', 'AlertCondition', alertConditionSpecSchema)).length(1, 'length must be between 1 and 1: an alert policy has one condition'),
    notificationTargets: z.array(refOrInline('targetRef', 'AlertNotificationTarget', notificationTargetSpecSchema)).min(1, 'length must be greater than or equal to 1: name where its alerts go'),
  })
  .strict();
export type OpenSloAlertPolicySpec = z.output<typeof alertPolicySpecSchema>;

export const sloSpecSchema = z
  .object({
    description,
    service: z.string({ error: (i) => (i.input === undefined ? 'is required: the service this objective is for' : undefined) }).min(1, 'property is required but was empty'),
    indicator: inlineIndicator.optional(),
    indicatorRef: dnsLabel('the name of an SLI').optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices'], {
      error: (i) => (i.input === undefined ? 'is required: Occurrences, Timeslices or RatioTimeslices' : 'must be one of: Occurrences, Timeslices, RatioTimeslices'),
    }),
    timeWindow: z.array(timeWindowSchema, { error: (i) => (i.input === undefined ? 'is required: one window, e.g. [{ duration: 28d, isRolling: true }]' : undefined) }).length(1, 'length must be between 1 and 1: give one time window'),
    objectives: z.array(objectiveSchema).optional(),
    alertPolicies: z.array(refOrInline('alertPolicyRef', 'AlertPolicy', alertPolicySpecSchema)).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const objectives = s.objectives ?? [];
    const composite = objectives.some((o) => set(o.indicator) || set(o.indicatorRef));
    const standard = set(s.indicator) || set(s.indicatorRef);
    if (composite === standard) {
      ctx.addIssue({
        code: 'custom',
        message: `'indicator' or 'indicatorRef' fields must either be defined on the 'spec' level (standard SLOs) or on the 'spec.objectives[*]' level (composite SLOs), but ${standard ? 'not both' : 'none were provided'}`,
      });
    }
    if (set(s.indicator) && set(s.indicatorRef)) ctx.addIssue({ code: 'custom', message: '[indicator, indicatorRef] properties are mutually exclusive, provide only one of them' });
    objectives.forEach((o, i) => {
      const at = (field: string) => ['objectives', i, field];
      exactlyOne(ctx, o, ['target', 'targetPercent']);
      if (set(o.indicator) && set(o.indicatorRef)) ctx.addIssue({ code: 'custom', path: ['objectives', i], message: '[indicator, indicatorRef] properties are mutually exclusive, provide only one of them' });
      if (!composite && set(o.compositeWeight)) ctx.addIssue({ code: 'custom', path: at('compositeWeight'), message: 'property is forbidden: compositeWeight is for the objectives of a composite SLO (each with its own indicator)' });
      // op and value say when a threshold metric's value is good; a ratio's objective is its target alone.
      const inline = o.indicator?.spec ?? (composite ? undefined : s.indicator?.spec);
      if (inline?.thresholdMetric) {
        if (!set(o.op)) ctx.addIssue({ code: 'custom', path: at('op'), message: 'is required with a thresholdMetric: gt, lt, gte or lte' });
        if (!set(o.value)) ctx.addIssue({ code: 'custom', path: at('value'), message: 'is required with a thresholdMetric: the threshold a good value is compared with' });
      } else if (inline?.ratioMetric) {
        if (set(o.op)) ctx.addIssue({ code: 'custom', path: at('op'), message: 'property is forbidden: op and value are for a thresholdMetric; a ratioMetric objective is its target alone' });
        if (set(o.value)) ctx.addIssue({ code: 'custom', path: at('value'), message: 'property is forbidden: op and value are for a thresholdMetric; a ratioMetric objective is its target alone' });
      }
      if (s.budgetingMethod === 'Timeslices' && !set(o.timeSliceTarget)) ctx.addIssue({ code: 'custom', path: at('timeSliceTarget'), message: 'is required with Timeslices: the share of good events that makes a slice good (e.g. 0.95)' });
      if (s.budgetingMethod !== 'Occurrences' && !set(o.timeSliceWindow)) ctx.addIssue({ code: 'custom', path: at('timeSliceWindow'), message: `is required with ${s.budgetingMethod}: how long a slice is (e.g. 1m)` });
    });
  });
export type OpenSloSloSpec = z.output<typeof sloSpecSchema>;

export const serviceSpecSchema = z.object({ description }).strict();

export const dataSourceSpecSchema = z
  .object({
    description,
    type: z.string({ error: (i) => (i.input === undefined ? 'is required: what kind of source (e.g. Prometheus)' : undefined) }).min(1, 'property is required but was empty'),
    connectionDetails: z.unknown().refine((v) => v !== undefined && v !== null, 'is required: how to reach the source (e.g. url)'),
  })
  .strict();
export type OpenSloDataSourceSpec = z.output<typeof dataSourceSpecSchema>;

export const openSloSpecSchemas: Record<OpenSloKind, { schema: z.ZodType; required: boolean }> = {
  Service: { schema: serviceSpecSchema, required: false },
  SLI: { schema: sliSpecSchema, required: false },
  SLO: { schema: sloSpecSchema, required: true },
  DataSource: { schema: dataSourceSpecSchema, required: true },
  AlertPolicy: { schema: alertPolicySpecSchema, required: false },
  AlertCondition: { schema: alertConditionSpecSchema, required: false },
  AlertNotificationTarget: { schema: notificationTargetSpecSchema, required: false },
};

/** The part every OpenSLO object shares; `spec` is checked by its kind's schema. */
export const openSloEnvelopeSchema = z
  .object({
    apiVersion: z.literal(OPENSLO_API_VERSION),
    kind: z.string(),
    metadata: openSloMetadataSchema,
    spec: z.unknown().optional(),
  })
  .strict();

/**
 * An empty YAML value (`alertPolicies:` followed only by comments) is no
 * value: the reference validator decodes it as an absent field, so a
 * required one is missing and an optional one is fine.
 */
export function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutEmptyValues(v)]])));
}
