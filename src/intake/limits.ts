import { z } from 'zod';

// Limits that keep one sender from filling the store with a single alert.
// Prometheus itself accepts far less in practice; these are generous.
export const intakeLimits = {
  maxLabels: 64,
  maxLabelNameLength: 128,
  maxLabelValueLength: 2048,
  maxAnnotations: 64,
  maxAnnotationValueLength: 16384,
  maxAlertsPerBatch: 10000,
  maxBodyBytes: 16 * 1024 * 1024,
} as const;

export const labelName = z
  .string()
  .max(intakeLimits.maxLabelNameLength, `label names are at most ${intakeLimits.maxLabelNameLength} characters`)
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names match [a-zA-Z_][a-zA-Z0-9_]*');

export const labelSetSchema = z
  .record(labelName, z.string().max(intakeLimits.maxLabelValueLength, `label values are at most ${intakeLimits.maxLabelValueLength} characters`))
  .refine((l) => Object.keys(l).length <= intakeLimits.maxLabels, `at most ${intakeLimits.maxLabels} labels`);

export const annotationsSchema = z
  .record(z.string().max(intakeLimits.maxLabelNameLength), z.string().max(intakeLimits.maxAnnotationValueLength, `annotation values are at most ${intakeLimits.maxAnnotationValueLength} characters`))
  .refine((a) => Object.keys(a).length <= intakeLimits.maxAnnotations, `at most ${intakeLimits.maxAnnotations} annotations`);

/** A time with no offset is UTC, whatever the server's TZ (Date.parse would read it as local time). */
function parseUtc(s: string): number {
  return Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`);
}

/** RFC 3339 time; Go's zero time (0001-01-01…) means "not set", as Prometheus sends it. */
export const rfc3339 = z
  .string()
  .refine((s) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(parseUtc(s)), 'must be an RFC 3339 time such as 2026-11-22T10:00:00Z')
  .transform((s) => (s.startsWith('0001-01-01') ? null : parseUtc(s)));

/**
 * Labels and annotations as Alertmanager takes them: names by the label-name
 * rule, values of any length (the alert as a whole is bounded instead).
 */
export const lenientLabelSetSchema = z.record(labelName, z.string());
