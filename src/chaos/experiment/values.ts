import { isMapping } from './pyValues.js';
import type { EnvValue, Experiment } from './schema.js';

/** The configuration and secrets an experiment runs with, read from the environment when it starts. */
export interface ResolvedValues {
  configuration: Record<string, unknown>;
  /** scope → name → value */
  secrets: Record<string, Record<string, string>>;
}

export class ExperimentValueError extends Error {}

function isEnvValue(v: unknown): v is EnvValue {
  return isMapping(v) && v.type === 'env' && typeof v.key === 'string';
}

function convert(type: EnvValue['env_var_type'], raw: unknown, key: string): unknown {
  if (type === undefined || type === 'str' || type === 'bytes' || typeof raw !== 'string') return raw;
  const n = type === 'int' ? (/^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN) : Number(raw.trim() === '' ? Number.NaN : raw);
  if (Number.isNaN(n)) throw new ExperimentValueError(`configuration from environment variable ${key} is not ${type === 'int' ? 'an integer' : 'a number'}`);
  return n;
}

/**
 * As Chaos Toolkit loads them: a configuration value as written, or read
 * from its environment variable (its default when the variable is unset;
 * neither is an error); every secret from its environment variable, which
 * must be set. The error names the variable, never a value.
 */
export function resolveValues(experiment: Experiment, env: NodeJS.ProcessEnv = process.env): ResolvedValues {
  const configuration: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(experiment.configuration ?? {})) {
    if (!isEnvValue(value)) {
      configuration[name] = value;
      continue;
    }
    const raw = env[value.key];
    if (raw === undefined && value.default === undefined) throw new ExperimentValueError(`configuration ${name} reads environment variable ${value.key}, which is not set (and it has no default)`);
    configuration[name] = convert(value.env_var_type, raw ?? value.default, value.key);
  }
  const secrets: Record<string, Record<string, string>> = {};
  for (const [scope, entries] of Object.entries(experiment.secrets ?? {})) {
    secrets[scope] = {};
    for (const [name, source] of Object.entries(entries)) {
      const raw = env[source.key];
      if (raw === undefined) throw new ExperimentValueError(`secret ${scope}.${name} reads environment variable ${source.key}, which is not set`);
      secrets[scope][name] = raw;
    }
  }
  return { configuration, secrets };
}

export const REDACTED = '***';

/** Replaces every secret value inside strings (and mapping keys) with ***. */
export function redactor(secrets: ResolvedValues['secrets']): <T>(value: T) => T {
  const values = [...new Set(Object.values(secrets).flatMap((scope) => Object.values(scope)))].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (v) => v;
  const scrub = (text: string) => values.reduce((t, secret) => t.split(secret).join(REDACTED), text);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (Array.isArray(value)) return value.map(walk);
    if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), walk(v)]));
    return value;
  };
  return <T>(value: T) => walk(value) as T;
}
