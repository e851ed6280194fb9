/**
 * Chaos Toolkit is Python: its tolerances compare with Python's `==`, `in`
 * and truthiness. These give the same answers on JSON values, so a file
 * written for `chaos run` is judged the same way here: `true == 1`,
 * `1 == 1.0`, `"1" != 1`, lists and mappings compared by content.
 */

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's `a == b` on JSON values (bool is an int there). */
export function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

/** Python's `value in list`. */
export function pyIn(value: unknown, list: readonly unknown[]): boolean {
  return list.some((item) => pyEquals(item, value));
}

/** Python's truthiness: None, False, 0, "", [] and {} are false. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * Python's `a <= b` between two JSON values, or undefined where Python
 * raises TypeError (a string against a number, a mapping against anything).
 */
export function pyLessOrEqual(a: unknown, b: unknown): boolean | undefined {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) <= Number(b);
  if (typeof a === 'string' && typeof b === 'string') return codePointCompare(a, b) <= 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (pyEquals(a[i], b[i])) continue;
      return pyLessOrEqual(a[i], b[i]);
    }
    return a.length <= b.length;
  }
  return undefined;
}

function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Python's `Decimal(value)`: a number, a bool, or a string holding a number
 * (surrounding blanks allowed); undefined for anything else, where
 * Chaos Toolkit's range tolerance is not met.
 */
export function pyDecimal(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/_/g, '');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) && !/^[+-]?(inf|infinity)$/i.test(text)) return undefined;
  if (/inf/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Python's `str(value)` for what a process argument can be. */
export function pyStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}
