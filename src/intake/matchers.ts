import type { Labels } from './fingerprint.js';

/** An Alertmanager-style label matcher. */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export type MatcherOperator = '=' | '!=' | '=~' | '!~';

export function matcherOperator(m: Matcher): MatcherOperator {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${matcherOperator(m)}${JSON.stringify(m.value)}`;
}

const matcherText = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses `name=value`, `name!="value"`, `name=~"re.*"`, `name!~re`. */
export function parseMatcher(text: string): Matcher {
  const m = matcherText.exec(text);
  if (!m) throw new Error(`"${text}" is not a matcher; write name=value, name!=value, name=~regex or name!~regex`);
  const [, name, op, rawValue] = m as unknown as [string, string, MatcherOperator, string];
  let value = rawValue;
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new Error(`matcher "${text}": the quoted value is not a valid string`);
    }
  }
  const matcher = { name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
  compileMatcher(matcher);
  return matcher;
}

export type CompiledMatcher = (labels: Labels) => boolean;

/** Regexes are anchored at both ends, as in Alertmanager. A missing label matches as the empty string. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  if (m.isRegex) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${m.value})$`, 'u');
    } catch (err) {
      throw new Error(`matcher ${m.name}: invalid regular expression ${JSON.stringify(m.value)}: ${(err as Error).message}`);
    }
    return m.isEqual ? (l) => re.test(l[m.name] ?? '') : (l) => !re.test(l[m.name] ?? '');
  }
  return m.isEqual ? (l) => (l[m.name] ?? '') === m.value : (l) => (l[m.name] ?? '') !== m.value;
}

export function compileMatchers(matchers: Matcher[]): CompiledMatcher {
  const compiled = matchers.map(compileMatcher);
  return (labels) => compiled.every((c) => c(labels));
}
