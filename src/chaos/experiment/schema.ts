import { z } from 'zod';
import { configErrorMap } from '../../config/issueMessages.js';
import { didYouMean } from '../../config/references.js';
import { JsonPathError, parseJsonPath } from './jsonPath.js';
import { isMapping } from './pyValues.js';
import { pythonRegex } from './pythonRegex.js';

/**
 * A Chaos Toolkit experiment (https://chaostoolkit.org/reference/api/experiment/)
 * as prodeng runs it. Field names are Chaos Toolkit's. What prodeng does
 * differently is refused here, with the reason: a `python` provider (prodeng
 * runs no Python), a secret written in the file (secrets come from the
 * environment), a configuration value computed by a probe.
 */

export interface RangeTolerance {
  type: 'range';
  range: [number, number];
  target?: string;
}
export interface RegexTolerance {
  type: 'regex';
  pattern: string;
  target?: string;
}
export interface JsonPathTolerance {
  type: 'jsonpath';
  path: string;
  /** a scalar: the matches must be exactly [expect]; a list: the matches must be that list */
  expect?: unknown;
  count?: number;
  target?: string;
}
export type ProbeTolerance = ActivityDefinition & { type: 'probe' };
export type Tolerance = boolean | number | string | unknown[] | RangeTolerance | RegexTolerance | JsonPathTolerance | ProbeTolerance;

export interface HttpProvider {
  type: 'http';
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** GET: the query string; otherwise the body (JSON with a Content-Type: application/json header, else a form) */
  arguments?: Record<string, unknown>;
  /** seconds; or [connect, read] as Chaos Toolkit takes it (prodeng applies their sum to the whole request) */
  timeout?: number | [number, number];
  /** a response with another status fails the activity (without it, every response succeeds, as in Chaos Toolkit) */
  expected_status?: number | number[];
  verify_tls?: boolean;
  max_retries?: number;
  secrets?: string | string[];
  configuration?: string | string[];
}
export interface ProcessProvider {
  type: 'process';
  path: string;
  /** a list is argv; a mapping is flattened to key, value pairs; a string is split into argv without a shell */
  arguments?: unknown[] | string | Record<string, unknown>;
  timeout?: number;
  /** secret scopes whose values the child gets as environment variables (by their keys) */
  secrets?: string | string[];
  /** configuration keys the child gets as environment variables */
  configuration?: string | string[];
}
export interface ProdengProvider {
  type: 'prodeng';
  func: string;
  arguments?: Record<string, unknown>;
  timeout?: number;
  secrets?: string | string[];
  configuration?: string | string[];
}
export type Provider = HttpProvider | ProcessProvider | ProdengProvider;

export interface ActivityDefinition {
  type: 'action' | 'probe';
  name: string;
  provider: Provider;
  tolerance?: Tolerance;
  pauses?: { before?: number | string; after?: number | string };
  background?: boolean;
  secrets?: string | string[];
  configuration?: string | string[];
  controls?: unknown[];
}
export interface ActivityRef {
  ref: string;
}
export type Activity = ActivityDefinition | ActivityRef;

export interface EnvValue {
  type: 'env';
  key: string;
  default?: unknown;
  env_var_type?: 'str' | 'int' | 'float' | 'bytes';
}
export type RollbackStrategy = 'default' | 'always' | 'never' | 'deviated';
export type HypothesisStrategy = 'default' | 'before-method-only' | 'after-method-only' | 'during-method-only' | 'continuously';

export interface Experiment {
  version?: string;
  title: string;
  description?: string;
  tags?: string[];
  contributions?: Record<string, 'high' | 'medium' | 'low' | 'none'>;
  configuration?: Record<string, unknown>;
  secrets?: Record<string, Record<string, { type: 'env'; key: string }>>;
  'steady-state-hypothesis'?: { title: string; probes?: ActivityDefinition[]; controls?: unknown[] };
  method: Activity[];
  rollbacks?: Activity[];
  runtime?: {
    rollbacks?: { strategy?: RollbackStrategy };
    hypothesis?: { strategy?: HypothesisStrategy; frequency?: number; fail_fast?: boolean };
  };
  controls?: unknown[];
  extensions?: unknown[];
}

export function isRef(activity: Activity): activity is ActivityRef {
  return 'ref' in activity;
}

type Ctx = z.core.$RefinementCtx;
type Path = Array<string | number>;

/** Runs `schema` on a part of the document, its issues reported at `path` below the part being refined. */
function check<S extends z.ZodType>(schema: S, value: unknown, ctx: Ctx, path: Path = []): z.output<S> | undefined {
  const result = schema.safeParse(value, { error: configErrorMap });
  if (result.success) return result.data;
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  for (const issue of result.error.issues) {
    const at = [...path, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) ctx.addIssue({ code: 'custom', path: [...at, key], message: `unknown field "${key}"${didYouMean(key, known)}`, params: { unknownField: true } });
    } else ctx.addIssue({ code: 'custom', path: at, message: issue.message });
  }
  return undefined;
}

function problem(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

const nameList = z.union([z.string().min(1), z.array(z.string().min(1))], { error: 'must be a name or a list of names' });
const seconds = z.number({ error: 'must be a number of seconds' }).nonnegative('must not be negative');
const pause = z.union([seconds, z.string().regex(/^\$\{[_a-zA-Z][_a-zA-Z0-9]*\}$/, 'must be a number of seconds or ${name} of a configuration value')], {
  error: 'must be a number of seconds or ${name} of a configuration value',
});

const httpSchema = z
  .object({
    type: z.literal('http'),
    url: z.string({ error: (i) => (i.input === undefined ? 'is required: the URL to call' : 'must be a string') }).min(1, 'must not be empty'),
    method: z.string().regex(/^[A-Za-z]+$/, 'must be an HTTP method such as GET or POST').optional(),
    headers: z.record(z.string(), z.string({ error: 'a header value must be a string' })).optional(),
    arguments: z.record(z.string(), z.unknown(), { error: 'must be a mapping of parameter names to values' }).optional(),
    timeout: z.union([seconds, z.tuple([seconds, seconds])], { error: 'must be a number of seconds, or [connect, read] seconds' }).optional(),
    expected_status: z.union([z.number().int(), z.array(z.number().int()).min(1)], { error: 'must be an HTTP status or a list of them' }).optional(),
    verify_tls: z.boolean().optional(),
    max_retries: z.number().int().min(0).max(10).optional(),
    secrets: nameList.optional(),
    configuration: nameList.optional(),
  })
  .strict();

const processSchema = z
  .object({
    type: z.literal('process'),
    path: z.string({ error: (i) => (i.input === undefined ? 'is required: the program to run' : 'must be a string') }).min(1, 'must not be empty'),
    arguments: z
      .union([z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])), z.string(), z.record(z.string(), z.unknown())], {
        error: 'must be a list of arguments (argv), a mapping, or a string (split into argv without a shell)',
      })
      .optional(),
    timeout: seconds.optional(),
    secrets: nameList.optional(),
    configuration: nameList.optional(),
  })
  .strict();

const prodengSchema = z
  .object({
    type: z.literal('prodeng'),
    func: z.string({ error: (i) => (i.input === undefined ? 'is required: the prodeng fault or toxic to call' : 'must be a string') }).min(1, 'must not be empty'),
    arguments: z.record(z.string(), z.unknown(), { error: 'must be a mapping of argument names to values' }).optional(),
    timeout: seconds.optional(),
    secrets: nameList.optional(),
    configuration: nameList.optional(),
  })
  .strict();

function checkProvider(value: unknown, ctx: Ctx, path: Path): void {
  if (!isMapping(value)) return problem(ctx, path, 'must be a mapping with a type: http, process or prodeng');
  switch (value.type) {
    case 'http':
      check(httpSchema, value, ctx, path);
      return;
    case 'process':
      check(processSchema, value, ctx, path);
      return;
    case 'prodeng':
      check(prodengSchema, value, ctx, path);
      return;
    case 'python': {
      const what = typeof value.module === 'string' ? ` (${value.module}${typeof value.func === 'string' ? `.${value.func}` : ''})` : '';
      return problem(
        ctx,
        [...path, 'type'],
        `prodeng runs no Python, so a python provider${what} cannot run here: use a process provider that runs a program, an http provider, or a prodeng provider (func) for prodeng's own faults and toxics`,
      );
    }
    case undefined:
      return problem(ctx, [...path, 'type'], 'is required: http, process or prodeng');
    default:
      return problem(ctx, [...path, 'type'], `must be http, process or prodeng, not ${JSON.stringify(value.type)}${typeof value.type === 'string' ? didYouMean(value.type, ['http', 'process', 'prodeng']) : ''}`);
  }
}

const activityFields = z
  .object({
    type: z.enum(['action', 'probe'], { error: (i) => (i.input === undefined ? 'is required: action or probe' : 'must be action or probe') }),
    name: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty'),
    provider: z.unknown(),
    tolerance: z.unknown().optional(),
    pauses: z.object({ before: pause.optional(), after: pause.optional() }).strict().optional(),
    background: z.boolean().optional(),
    secrets: nameList.optional(),
    configuration: nameList.optional(),
    controls: z.array(z.unknown()).optional(),
  })
  .strict();

/** An activity in full (`where` says what it is for the messages). */
function checkActivityDefinition(value: unknown, ctx: Ctx, path: Path, where: 'hypothesis' | 'method' | 'rollbacks' | 'tolerance'): void {
  if (!isMapping(value)) return problem(ctx, path, 'must be a mapping: an action or a probe (type, name, provider)');
  if (where !== 'tolerance' && 'ref' in value) {
    if (where === 'hypothesis') return problem(ctx, [...path, 'ref'], 'a steady-state probe is written in full, with its tolerance: it cannot be a ref');
    const extra = Object.keys(value).filter((k) => k !== 'ref');
    if (typeof value.ref !== 'string' || value.ref === '') problem(ctx, [...path, 'ref'], 'must be the name of an activity declared before this one');
    for (const key of extra) problem(ctx, [...path, key], `a ref stands alone: "${key}" cannot be set beside it (it is the referred activity's)`);
    return;
  }
  check(activityFields, value, ctx, path);
  if (value.provider === undefined) problem(ctx, [...path, 'provider'], 'is required: what the activity calls (http, process or prodeng)');
  else checkProvider(value.provider, ctx, [...path, 'provider']);
  if (where === 'hypothesis' && value.type === 'action') problem(ctx, [...path, 'type'], 'the steady-state hypothesis holds probes only');
  if (where === 'hypothesis' && !('tolerance' in value)) problem(ctx, [...path, 'tolerance'], 'is required: a steady-state probe says which outputs are normal (e.g. tolerance: 200)');
  if ('tolerance' in value && value.tolerance !== undefined) checkTolerance(value.tolerance, ctx, [...path, 'tolerance']);
}

const target = z.string().min(1, 'must name a key of the output, such as status, body or stdout').optional();
const rangeSchema = z
  .object({
    type: z.literal('range'),
    range: z.tuple([z.number({ error: 'the lower bound must be a number' }), z.number({ error: 'the upper bound must be a number' })], { error: 'must be [lower, upper], two numbers' }),
    target,
  })
  .strict();
const regexSchema = z.object({ type: z.literal('regex'), pattern: z.string({ error: (i) => (i.input === undefined ? 'is required: the regular expression' : 'must be a string') }), target }).strict();
const jsonPathSchema = z
  .object({
    type: z.literal('jsonpath'),
    path: z.string({ error: (i) => (i.input === undefined ? 'is required: the JSON path' : 'must be a string') }).refine((s) => s.trim() !== '', 'must not be empty'),
    expect: z.unknown().optional(),
    count: z.number().int().min(0).optional(),
    target,
  })
  .strict();

function checkTolerance(value: unknown, ctx: Ctx, path: Path): void {
  if (typeof value === 'boolean' || typeof value === 'string' || Array.isArray(value)) return;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) problem(ctx, path, `a number tolerance is an integer, compared with the output (Chaos Toolkit refuses ${value}): for a band of values write {type: range, range: [low, high]}`);
    return;
  }
  if (!isMapping(value)) return problem(ctx, path, 'must be true/false, a number, a string, a list, or a mapping with type range, regex, jsonpath or probe');
  switch (value.type) {
    case 'range':
      check(rangeSchema, value, ctx, path);
      return;
    case 'regex':
      if (check(regexSchema, value, ctx, path) && !/\$\{/.test(value.pattern as string)) {
        try {
          pythonRegex(value.pattern as string);
        } catch (err) {
          problem(ctx, [...path, 'pattern'], `is not a regular expression: ${(err as Error).message}`);
        }
      }
      return;
    case 'jsonpath':
      if (check(jsonPathSchema, value, ctx, path) && !/\$\{/.test(value.path as string)) {
        try {
          parseJsonPath(value.path as string);
        } catch (err) {
          if (!(err instanceof JsonPathError)) throw err;
          problem(ctx, [...path, 'path'], `is not a JSON path: it ${err.message}`);
        }
      }
      return;
    case 'probe':
      checkActivityDefinition(value, ctx, path, 'tolerance');
      return;
    default:
      return problem(
        ctx,
        [...path, 'type'],
        `${value.type === undefined ? 'is required for a mapping tolerance' : `cannot be ${JSON.stringify(value.type)}`}: range, regex, jsonpath or probe${typeof value.type === 'string' ? didYouMean(value.type, ['range', 'regex', 'jsonpath', 'probe']) : ''}`,
      );
  }
}

const envValue = z
  .object({
    type: z.literal('env'),
    key: z.string({ error: (i) => (i.input === undefined ? 'is required: the environment variable to read' : 'must be a string') }).min(1, 'must not be empty'),
    default: z.unknown().optional(),
    env_var_type: z.enum(['str', 'int', 'float', 'bytes']).optional(),
  })
  .strict();

function checkConfiguration(value: unknown, ctx: Ctx): void {
  if (!isMapping(value)) return problem(ctx, ['configuration'], 'must be a mapping of names to values');
  for (const [key, entry] of Object.entries(value)) {
    if (!isMapping(entry) || !('type' in entry)) continue;
    if (entry.type === 'env') check(envValue, entry, ctx, ['configuration', key]);
    else if (entry.type === 'probe') problem(ctx, ['configuration', key, 'type'], 'a configuration value computed by a probe is not supported: give the value, or {type: env, key: VARIABLE}');
  }
}

const SECRET_HOWTO = 'secrets come from the environment, never from the file: write {type: env, key: VARIABLE} and set VARIABLE in prodeng\'s environment';
const envSecret = z.object({ type: z.literal('env'), key: z.string({ error: (i) => (i.input === undefined ? 'is required: the environment variable that holds the secret' : 'must be a string') }).min(1, 'must not be empty') }).strict();

function checkSecrets(value: unknown, ctx: Ctx): void {
  if (!isMapping(value)) return problem(ctx, ['secrets'], 'must be a mapping of scopes, each a mapping of names to {type: env, key: VARIABLE}');
  for (const [scope, entries] of Object.entries(value)) {
    if (!isMapping(entries)) {
      problem(ctx, ['secrets', scope], `must be a scope: a mapping of names to {type: env, key: VARIABLE} (${SECRET_HOWTO})`);
      continue;
    }
    if (entries.type === 'env' || entries.type === 'vault') {
      problem(ctx, ['secrets', scope], 'secrets are grouped in scopes: write secrets: {SCOPE: {NAME: {type: env, key: VARIABLE}}}');
      continue;
    }
    for (const [name, entry] of Object.entries(entries)) {
      const at = ['secrets', scope, name];
      if (!isMapping(entry)) problem(ctx, at, `is written in the file: ${SECRET_HOWTO}`);
      else if (entry.type === 'vault') problem(ctx, [...at, 'type'], `prodeng reads no Vault: ${SECRET_HOWTO}`);
      else if (entry.type !== 'env') problem(ctx, [...at, 'type'], `must be env: ${SECRET_HOWTO}`);
      else check(envSecret, entry, ctx, at);
    }
  }
}

const topFields = z
  .object({
    version: z.union([z.string(), z.number()]).optional(),
    title: z.string({ error: (i) => (i.input === undefined ? 'is required: what the experiment finds out' : 'must be a string') }).min(1, 'must not be empty'),
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    contributions: z.record(z.string(), z.enum(['high', 'medium', 'low', 'none'])).optional(),
    configuration: z.unknown().optional(),
    secrets: z.unknown().optional(),
    'steady-state-hypothesis': z
      .object({ title: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty'), probes: z.array(z.unknown()).optional(), controls: z.array(z.unknown()).optional() })
      .strict()
      .optional(),
    method: z.array(z.unknown(), { error: (i) => (i.input === undefined ? 'is required: the actions and probes to apply' : 'must be a list of activities') }).min(1, 'must hold at least one activity'),
    rollbacks: z.array(z.unknown()).optional(),
    runtime: z
      .object({
        rollbacks: z.object({ strategy: z.enum(['default', 'always', 'never', 'deviated']).optional() }).strict().optional(),
        hypothesis: z
          .object({
            strategy: z.enum(['default', 'before-method-only', 'after-method-only', 'during-method-only', 'continuously']).optional(),
            frequency: z.number().positive('must be a positive number of seconds').optional(),
            fail_fast: z.boolean().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    controls: z.array(z.unknown()).optional(),
    extensions: z.array(z.unknown()).optional(),
    dry: z.unknown().optional(),
  })
  .strict();

/** Names an activity refers to (`secrets`, `configuration`) must be declared. */
function checkNames(doc: Record<string, unknown>, activity: Record<string, unknown>, ctx: Ctx, path: Path): void {
  const scopes = isMapping(doc.secrets) ? Object.keys(doc.secrets) : [];
  const keys = isMapping(doc.configuration) ? Object.keys(doc.configuration) : [];
  const asList = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  for (const [holder, at] of [[activity, path], [activity.provider, [...path, 'provider']]] as const) {
    if (!isMapping(holder)) continue;
    for (const name of asList(holder.secrets)) if (!scopes.includes(name)) problem(ctx, [...at, 'secrets'], `no secret scope "${name}" is declared${didYouMean(name, scopes)}`);
    for (const name of asList(holder.configuration)) if (!keys.includes(name)) problem(ctx, [...at, 'configuration'], `no configuration value "${name}" is declared${didYouMean(name, keys)}`);
  }
}

/** The whole document, each problem at its path. Its output is the document as written (no defaults added), typed. */
export const experimentSchema = z.unknown().superRefine((doc, ctx) => {
  if (!isMapping(doc)) return problem(ctx, [], 'an experiment is a mapping with title, method and, usually, steady-state-hypothesis and rollbacks');
  check(topFields, doc, ctx);
  if (doc.configuration !== undefined) checkConfiguration(doc.configuration, ctx);
  if (doc.secrets !== undefined) checkSecrets(doc.secrets, ctx);

  // a ref names an activity declared before it: the hypothesis's probes, then the method's and rollbacks' activities in order
  const named = new Set<string>();
  const visit = (list: unknown, section: 'hypothesis' | 'method' | 'rollbacks', base: Path) => {
    if (!Array.isArray(list)) return;
    list.forEach((activity, i) => {
      const path = [...base, i];
      checkActivityDefinition(activity, ctx, path, section);
      if (!isMapping(activity)) return;
      if (typeof activity.ref === 'string' && activity.ref !== '') {
        if (!named.has(activity.ref)) problem(ctx, [...path, 'ref'], `no activity named "${activity.ref}" is declared before this one${didYouMean(activity.ref, [...named])}`);
        return;
      }
      checkNames(doc, activity, ctx, path);
      if (typeof activity.name === 'string') named.add(activity.name);
    });
  };
  const hypothesis = doc['steady-state-hypothesis'];
  if (isMapping(hypothesis)) visit(hypothesis.probes, 'hypothesis', ['steady-state-hypothesis', 'probes']);
  visit(doc.method, 'method', ['method']);
  visit(doc.rollbacks, 'rollbacks', ['rollbacks']);
}) as unknown as z.ZodType<Experiment>;

/** Controls are Chaos Toolkit's Python extensions: accepted, not run. Where the file has them. */
export function controlsIn(doc: Experiment): Path[] {
  const places: Path[] = [];
  if (doc.controls) places.push(['controls']);
  if (doc['steady-state-hypothesis']?.controls) places.push(['steady-state-hypothesis', 'controls']);
  const scan = (list: Activity[] | undefined, base: Path) =>
    list?.forEach((a, i) => {
      if (!isRef(a) && a.controls) places.push([...base, i, 'controls']);
    });
  scan(doc['steady-state-hypothesis']?.probes, ['steady-state-hypothesis', 'probes']);
  scan(doc.method, ['method']);
  scan(doc.rollbacks, ['rollbacks']);
  return places;
}
