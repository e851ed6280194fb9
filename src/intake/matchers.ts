import { RE2JS } from 're2js';
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

/**
 * Regexes are anchored at both ends and use RE2 syntax, as in Alertmanager.
 * RE2 runs in time linear in the input, so no pattern from a request or a
 * config file can hold the event loop (`(a+)+b` on a backtracking engine
 * could); what RE2 cannot promise that for (backreferences, lookaround) is
 * refused. A missing label matches as the empty string; only the labels'
 * own keys count (`constructor` is not a label of every alert).
 */
export function compileMatcher(m: Matcher): CompiledMatcher {
  const valueOf = (l: Labels): string => (Object.hasOwn(l, m.name) ? (l[m.name] ?? '') : '');
  if (m.isRegex) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(`(?:${m.value})`);
    } catch (err) {
      throw new Error(`matcher ${m.name}: ${JSON.stringify(m.value)} is an invalid regular expression for RE2, the linear-time engine prodeng uses (${(err as Error).message}; RE2 has no backreferences or lookaround)`);
    }
    return m.isEqual ? (l) => re.matches(valueOf(l)) : (l) => !re.matches(valueOf(l));
  }
  return m.isEqual ? (l) => valueOf(l) === m.value : (l) => valueOf(l) !== m.value;
}

export function compileMatchers(matchers: Matcher[]): CompiledMatcher {
  const compiled = matchers.map(compileMatcher);
  return (labels) => compiled.every((c) => c(labels));
}
