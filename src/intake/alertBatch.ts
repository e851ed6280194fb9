import type { z } from 'zod';
import { fieldPath, zodProblems, type FieldProblem } from '../api/problems.js';
import { hostileInputProblem } from '../api/hostileInput.js';

/**
 * What a batch of Alertmanager-style alerts may hold. Alertmanager bounds
 * none of this per label; prodeng bounds each alert as a whole (generously)
 * and the request, and never refuses a good alert for a bad neighbour.
 */
export const alertBatchLimits = {
  /** one alert's JSON, labels, annotations and all */
  maxAlertBytes: 256 * 1024,
} as const;

export interface BatchSplit<T> {
  valid: T[];
  /** the refused alerts, each named by its place in the request */
  invalid: FieldProblem[];
  total: number;
}

/**
 * Validates each alert of a batch on its own, as Alertmanager does: the
 * valid ones go on, the invalid ones are named by their index. `path` is
 * where the array sits in the body (`[]` for a bare array, `['alerts']`).
 */
export function splitAlertBatch<T>(
  items: unknown[],
  schema: z.ZodType<T>,
  path: Array<string | number>,
  /** accepts the common well-formed alert faster than the schema, or returns null to let the schema judge */
  fastParse?: (item: unknown) => T | null,
): BatchSplit<T> {
  const valid: T[] = [];
  const invalid: FieldProblem[] = [];
  items.forEach((item, i) => {
    const fast = fastParse?.(item);
    if (fast) {
      valid.push(fast);
      return;
    }
    const at = [...path, i];
    const size = JSON.stringify(item)?.length ?? 0;
    if (size > alertBatchLimits.maxAlertBytes) {
      invalid.push({ field: fieldPath(at), message: `the alert is ${size} bytes of JSON; at most ${alertBatchLimits.maxAlertBytes} per alert` });
      return;
    }
    const hostile = hostileInputProblem(item, at);
    if (hostile) {
      invalid.push(hostile);
      return;
    }
    const parsed = schema.safeParse(item);
    if (parsed.success) valid.push(parsed.data);
    else for (const p of zodProblems(parsed.error, 3)) invalid.push({ field: p.field === '(body)' ? fieldPath(at) : `${fieldPath(at)}${p.field.startsWith('[') ? '' : '.'}${p.field}`, message: p.message });
  });
  return { valid, invalid, total: items.length };
}

/** One line for a sender's log: what was refused, and that the rest was kept. */
export function batchRefusalMessage(split: BatchSplit<unknown>): string {
  const refused = new Set(split.invalid.map((p) => /^[^.]*?\[(\d+)\]/.exec(p.field)?.[1] ?? p.field)).size;
  const shown = split.invalid.slice(0, 10).map((p) => `${p.field}: ${p.message}`).join('; ');
  return `${refused} of ${split.total} alerts refused, the other ${split.total - refused} stored: ${shown}${split.invalid.length > 10 ? ` (and ${split.invalid.length - 10} more)` : ''}`;
}
