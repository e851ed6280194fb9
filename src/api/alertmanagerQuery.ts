import { RE2JS } from 're2js';
import { parseMatcher, type Matcher } from '../intake/matchers.js';

/** What a query parameter of Alertmanager's API v2 is, or the 400 message that says what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Go's strconv.ParseBool, which Alertmanager's flags go through: 1, t, true, 0, f, false in any of their usual cases. */
export function boolParam(name: string, raw: unknown, fallback: boolean): Parsed<boolean> {
  if (raw === undefined) return { ok: true, value: fallback };
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(String(text))) return { ok: true, value: true };
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(String(text))) return { ok: true, value: false };
  return { ok: false, message: `${name}: must be true or false, not ${JSON.stringify(text)}` };
}

/** `filter=alertname="X"&filter=instance=~"web-.*"`: each one a matcher. */
export function filterParam(raw: unknown): Parsed<Matcher[]> {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Matcher[] = [];
  for (const item of list) {
    try {
      out.push(parseMatcher(String(item)));
    } catch (err) {
      return { ok: false, message: `bad matcher format: ${String(item)}: ${(err as Error).message}` };
    }
  }
  return { ok: true, value: out };
}

/** `receiver=`: an RE2 regex the whole receiver name must match, as in Alertmanager. */
export function receiverParam(raw: unknown): Parsed<((name: string) => boolean) | undefined> {
  if (raw === undefined || raw === '') return { ok: true, value: undefined };
  const text = String(Array.isArray(raw) ? raw[raw.length - 1] : raw);
  try {
    const re = RE2JS.compile(`^(?:${text})$`);
    return { ok: true, value: (name) => re.matches(name) };
  } catch (err) {
    return { ok: false, message: `failed to parse receiver param: ${(err as Error).message}` };
  }
}
