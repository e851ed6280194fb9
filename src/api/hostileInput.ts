import type { FastifyInstance } from 'fastify';
import { fieldPath } from './problems.js';

/** Deeper than any payload prodeng takes (PagerDuty custom_details included); 5,000 levels overflowed the stack. */
export const MAX_JSON_DEPTH = 32;

export interface InputProblem {
  field: string;
  message: string;
}

/**
 * What no store can keep and no handler should walk: a NUL character
 * (PostgreSQL text refuses it, SQLite keeps it; both stores must answer
 * alike) and nesting past MAX_JSON_DEPTH. Iterative, so the check itself
 * cannot overflow the stack.
 */
export function hostileInputProblem(value: unknown, root: Array<string | number> = []): InputProblem | null {
  // Intake bodies pass here at thousands a second: look without paths first, name the field only when something is wrong.
  return looksHostile(value) ? locateProblem(value, root) : null;
}

function looksHostile(value: unknown): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return true;
    if (Array.isArray(v)) {
      for (const child of v) {
        values.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key in v) {
      if (key.includes('\u0000')) return true;
      values.push((v as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return false;
}

function locateProblem(value: unknown, root: Array<string | number>): InputProblem | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: root }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field: fieldPath(path), message: 'contains a NUL character (\\u0000), which prodeng does not store' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length - root.length >= MAX_JSON_DEPTH) return { field: fieldPath(path), message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (key.includes('\u0000')) return { field: fieldPath([...path, key.replace(/\u0000/g, '\\u0000')]), message: 'the name contains a NUL character' };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

class HostileInputError extends Error {
  readonly statusCode = 400;
  readonly code = 'PRODENG_HOSTILE_INPUT';
}

/**
 * Checks path parameters, the query and the body of every request before
 * its handler runs. Thrown as a 400, so a route with its own error shape
 * (PagerDuty's) answers in it.
 */
export function installHostileInputCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // A batch route checks each alert itself, so one bad alert does not cost the others.
    const perItem = request.routeOptions.config?.perItemBody === true;
    const problem =
      hostileInputProblem(request.params, []) ?? hostileInputProblem(request.query, []) ?? (request.body === undefined || perItem ? null : hostileInputProblem(request.body, []));
    if (problem) throw new HostileInputError(`${problem.field}: ${problem.message}`);
  });
}
