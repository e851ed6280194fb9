import { isMapping } from './pyValues.js';

/**
 * `${name}` (and `$name`) in strings, filled from the configuration and then
 * the secrets, as Chaos Toolkit does with Python's string.Template: a name
 * that is neither stays as written, `$$` is a `$`, and a string that is only
 * `${name}` becomes the value itself with its type (a number stays a
 * number). Substitution goes into lists and mappings; the input is not
 * changed.
 */
export type Lookup = ReadonlyMap<string, unknown>;

const PATTERN = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g;
const WHOLE = /^\$(?:([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})$/;

/** The names to look up: the configuration first, then each secret scope in order (the first that has the name wins). */
export function lookupOf(configuration: Record<string, unknown>, secrets: Record<string, Record<string, unknown>>): Lookup {
  const map = new Map<string, unknown>();
  for (const [k, v] of Object.entries(configuration)) map.set(k, v);
  for (const scope of Object.values(secrets)) for (const [k, v] of Object.entries(scope)) if (!map.has(k)) map.set(k, v);
  return map;
}

export function substituteString(text: string, lookup: Lookup): unknown {
  const whole = WHOLE.exec(text);
  if (whole) {
    const name = (whole[1] ?? whole[2]) as string;
    if (lookup.has(name)) return lookup.get(name);
  }
  return text.replace(PATTERN, (match, dollar: string | undefined, plain: string | undefined, braced: string | undefined) => {
    if (dollar) return '$';
    const name = (plain ?? braced) as string;
    if (!lookup.has(name)) return match;
    const value = lookup.get(name);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

export function substitute<T>(data: T, lookup: Lookup): T {
  if (typeof data === 'string') return substituteString(data, lookup) as T;
  if (Array.isArray(data)) return data.map((item) => substitute(item, lookup)) as T;
  if (isMapping(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, substitute(v, lookup)])) as T;
  return data;
}

/** The `${name}` names a value refers to, anywhere inside it. */
export function referencedNames(data: unknown, into = new Set<string>()): Set<string> {
  if (typeof data === 'string') {
    for (const m of data.matchAll(PATTERN)) if (!m[1]) into.add((m[2] ?? m[3]) as string);
  } else if (Array.isArray(data)) for (const item of data) referencedNames(item, into);
  else if (isMapping(data)) for (const v of Object.values(data)) referencedNames(v, into);
  return into;
}
