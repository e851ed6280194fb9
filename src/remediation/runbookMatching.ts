import type { ConfigDoc } from '../config/index.js';
import { compileMatcher, formatMatcher, type Matcher } from '../intake/matchers.js';
import { matchableLabels } from '../intake/silences.js';
import type { RunbookSpec } from './runbookKind.js';

/** What matching needs to know of an alert. */
export interface MatchableAlert {
  status: string;
  silenced: boolean;
  service: string | null;
  labels: Record<string, string>;
}

export interface RunbookVerdict {
  runbook: string;
  matches: boolean;
  /** why it does not match, or how specific it is when it does */
  reason: string;
  specificity: [number, number, number];
}

export interface RunbookChoice {
  /** the runbook that applies, if any */
  chosen: string | null;
  verdicts: RunbookVerdict[];
}

/**
 * The most specific matching runbook wins:
 *   1. more equality matchers (`alertname: WebDown`),
 *   2. then more matchers of any kind,
 *   3. then one bound to the alert's service over one that is not,
 *   4. then the name, alphabetically, so the choice never depends on file order.
 */
export function specificity(spec: RunbookSpec): [number, number, number] {
  const equalities = spec.match.filter((m) => m.isEqual && !m.isRegex).length;
  return [equalities, spec.match.length, spec.service ? 1 : 0];
}

function compare(a: RunbookVerdict, b: RunbookVerdict): number {
  for (let i = 0; i < 3; i++) if (a.specificity[i] !== b.specificity[i]) return b.specificity[i]! - a.specificity[i]!;
  return a.runbook.localeCompare(b.runbook);
}

function mismatch(m: Matcher, labels: Record<string, string>): string | null {
  if (compileMatcher(m)(labels)) return null;
  const actual = Object.hasOwn(labels, m.name) ? labels[m.name] : undefined;
  return `${formatMatcher(m)} does not hold: ${m.name} ${actual === undefined ? 'is not set' : `is ${JSON.stringify(actual)}`}`;
}

export function verdictFor(doc: ConfigDoc<RunbookSpec>, alert: MatchableAlert): RunbookVerdict {
  const spec = doc.spec;
  const result = (matches: boolean, reason: string): RunbookVerdict => ({ runbook: doc.name, matches, reason, specificity: specificity(spec) });
  if (alert.status !== 'firing') return result(false, `the alert is ${alert.status}; runbooks act on firing alerts only`);
  if (alert.silenced) return result(false, 'the alert is silenced');
  if (spec.service && spec.service !== alert.service) {
    return result(false, `the runbook is for service ${spec.service}; the alert's service is ${alert.service ?? 'not known'}`);
  }
  const labels = matchableLabels(alert.labels, alert.service);
  for (const m of spec.match) {
    const why = mismatch(m, labels);
    if (why) return result(false, why);
  }
  const [eq, all] = specificity(spec);
  return result(true, `all ${all} matchers hold (${eq} by equality)${spec.service ? `, service ${spec.service}` : ''}`);
}

/** Which runbook applies to an alert, with a verdict for every runbook. */
export function chooseRunbook(runbooks: Iterable<ConfigDoc<RunbookSpec>>, alert: MatchableAlert): RunbookChoice {
  const verdicts = [...runbooks].map((doc) => verdictFor(doc, alert));
  const matching = verdicts.filter((v) => v.matches).sort(compare);
  const chosen = matching[0] ?? null;
  for (const v of matching.slice(1)) v.reason = `matches, but ${chosen!.runbook} is more specific (${v.reason})`;
  if (chosen) chosen.reason = `chosen: ${chosen.reason}`;
  verdicts.sort((a, b) => (a.runbook === chosen?.runbook ? -1 : b.runbook === chosen?.runbook ? 1 : Number(b.matches) - Number(a.matches) || compare(a, b)));
  return { chosen: chosen?.runbook ?? null, verdicts };
}
