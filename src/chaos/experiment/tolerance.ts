import { parseJsonPath, queryJsonPath } from './jsonPath.js';
import { isMapping, pyDecimal, pyEquals, pyIn, pyLessOrEqual } from './pyValues.js';
import { pythonRegex } from './pythonRegex.js';
import type { ProbeTolerance, Tolerance } from './schema.js';
import { substitute, type Lookup } from './substitute.js';

export interface ToleranceContext {
  /** configuration and secrets, for ${name} in a regex pattern or a JSON path */
  lookup: Lookup;
  /** runs a probe tolerance with the output as its `value`: true when it succeeded */
  runProbe?: (probe: ProbeTolerance, output: unknown) => Promise<boolean>;
}

/** `value.get(target, value)`: the output's `target` key when it has one; undefined where Chaos Toolkit fails (the output is no mapping). */
function targeted(output: unknown, target: string | undefined): { value: unknown } | undefined {
  if (!target) return { value: output };
  if (!isMapping(output)) return undefined;
  return { value: Object.hasOwn(output, target) ? output[target] : output };
}

/**
 * Whether a steady-state probe's output is within its tolerance, exactly as
 * Chaos Toolkit's within_tolerance decides it (Python comparison rules):
 *
 * - true/false, a string: the output equals it (`true` equals 1, as in Python);
 * - an integer: the output equals it or, for a mapping output with a
 *   `status` (http: the response's, process: the exit code), that status does;
 * - a list: a mapping output's `status` is one of its items; else with two
 *   items the output is between them (inclusive), with more it is one of them;
 * - {type: range, range: [lo, hi], target?}: the output (or its `target`) read
 *   as a number is within [lo, hi] — no `status` shortcut here;
 * - {type: regex, pattern, target?}: the pattern is found in the output (or its `target`), a string;
 * - {type: jsonpath, path, expect?, count?, target?}: the path matches at least
 *   once, or `count` times, or its matches are exactly `expect` ([expect] for a scalar);
 *   a string output is read as JSON first;
 * - {type: probe, …}: that probe, given the output as its `value`, succeeds.
 *
 * Where Chaos Toolkit would stop with a Python error (a range over a
 * mapping, a regex over a number, a target on a non-mapping), the tolerance
 * is not met.
 */
export async function withinTolerance(tolerance: Tolerance, output: unknown, ctx: ToleranceContext): Promise<boolean> {
  if (typeof tolerance === 'boolean' || typeof tolerance === 'string') return pyEquals(output, tolerance);
  if (typeof tolerance === 'number') {
    if (isMapping(output) && Object.hasOwn(output, 'status')) return pyEquals(output.status, tolerance);
    return pyEquals(output, tolerance);
  }
  if (Array.isArray(tolerance)) {
    if (isMapping(output) && Object.hasOwn(output, 'status')) return pyIn(output.status, tolerance);
    if (tolerance.length === 2) return pyLessOrEqual(tolerance[0], output) === true && pyLessOrEqual(output, tolerance[1]) === true;
    return pyIn(output, tolerance);
  }
  switch (tolerance.type) {
    case 'range': {
      const t = targeted(output, tolerance.target);
      const n = t === undefined ? undefined : pyDecimal(t.value);
      if (n === undefined || Number.isNaN(n)) return false;
      return tolerance.range[0] <= n && n <= tolerance.range[1];
    }
    case 'regex': {
      const t = targeted(output, tolerance.target);
      if (t === undefined || typeof t.value !== 'string') return false;
      return pythonRegex(String(substitute(tolerance.pattern, ctx.lookup))).test(t.value);
    }
    case 'jsonpath': {
      const t = targeted(output, tolerance.target);
      if (t === undefined) return false;
      let doc = t.value;
      if (typeof doc === 'string') {
        try {
          doc = JSON.parse(doc);
        } catch {
          // not JSON: the path is applied to the string itself
        }
      }
      const found = queryJsonPath(parseJsonPath(String(substitute(tolerance.path, ctx.lookup))), doc);
      let met = found.length > 0;
      if (tolerance.count !== undefined && tolerance.count !== null) met = found.length === tolerance.count;
      if ('expect' in tolerance) met = pyEquals(found, Array.isArray(tolerance.expect) ? tolerance.expect : [tolerance.expect]);
      return met;
    }
    case 'probe':
      if (!ctx.runProbe) throw new Error('a probe tolerance needs a runner to run it');
      return ctx.runProbe(tolerance, output);
  }
}
