import { alertBatchLimits } from './alertBatch.js';
import { intakeLimits } from './limits.js';
import type { PostableAlerts } from './prometheusAlerts.js';

type PostableAlert = PostableAlerts[number];

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RFC3339_START = /^\d{4}-\d\d-\d\dT/;
const HAS_OFFSET = /(?:[zZ]|[+-]\d\d:?\d\d)$/;
const KNOWN_KEYS = new Set(['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL']);
// A JSON string is at most six characters per character (\u00XX) and two quotes.
const MAX_ESCAPE_GROWTH = 6;

/**
 * Prometheus posts thousands of alerts a second, nearly all well formed.
 * This reads the common shape by hand and returns exactly what
 * postableAlertSchema would (the same keys, the same times), having also
 * made the checks splitAlertBatch makes first (the alert's size, no NUL).
 * Anything else (an unknown key, a null, a bad name, an odd time, a huge
 * alert) returns null, and the zod schema decides and explains: this path
 * only ever accepts, so the error messages stay the schema's own.
 */
export function fastPostableAlert(item: unknown): PostableAlert | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const a = item as Record<string, unknown>;
  for (const key in a) if (!KNOWN_KEYS.has(key)) return null;
  const size = { chars: 100 };
  const labels = labelSet(a.labels, size);
  if (labels === null || size.chars === 100) return null; // at least one label
  const out: PostableAlert = { labels };
  if (a.annotations !== undefined) {
    const annotations = labelSet(a.annotations, size);
    if (annotations === null) return null;
    out.annotations = annotations;
  }
  if (a.startsAt !== undefined) {
    const startsAt = time(a.startsAt, size);
    if (startsAt === undefined) return null;
    out.startsAt = startsAt;
  }
  if (a.endsAt !== undefined) {
    const endsAt = time(a.endsAt, size);
    if (endsAt === undefined) return null;
    out.endsAt = endsAt;
  }
  if (a.generatorURL !== undefined) {
    if (typeof a.generatorURL !== 'string' || a.generatorURL.includes('\u0000')) return null;
    size.chars += a.generatorURL.length + 20;
    out.generatorURL = a.generatorURL;
  }
  if (out.startsAt != null && out.endsAt != null && out.endsAt < out.startsAt) return null;
  if (size.chars * MAX_ESCAPE_GROWTH > alertBatchLimits.maxAlertBytes) return null;
  return out;
}

function labelSet(value: unknown, size: { chars: number }): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const set = value as Record<string, unknown>;
  for (const name in set) {
    const v = set[name];
    if (typeof v !== 'string' || name.length > intakeLimits.maxLabelNameLength || !LABEL_NAME.test(name) || v.includes('\u0000')) return null;
    size.chars += name.length + v.length + 6;
  }
  return set as Record<string, string>;
}

let lastTime: { text: string; value: number | null } = { text: '', value: null };

/** The rfc3339 schema's reading of a time, or undefined where it would refuse (or might). */
function time(value: unknown, size: { chars: number }): number | null | undefined {
  if (typeof value !== 'string') return undefined;
  size.chars += value.length + 20;
  // A batch's alerts often share an end time: read each distinct one once.
  if (value === lastTime.text) return lastTime.value;
  if (!RFC3339_START.test(value)) return undefined;
  const ms = Date.parse(HAS_OFFSET.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) return undefined;
  const parsed = value.startsWith('0001-01-01') ? null : ms;
  lastTime = { text: value, value: parsed };
  return parsed;
}
