import type { Labels } from './fingerprint.js';
import { compileMatcher, compileMatchers, type Matcher } from './matchers.js';
import type { Silence } from './silences.js';

/**
 * Alertmanager's order for a list of silences: active ones first, ending
 * soonest first; then pending ones, starting soonest first; then expired
 * ones, ended most recently first.
 */
export function sortSilencesAsAlertmanager(silences: Silence[]): Silence[] {
  const rank = { active: 0, pending: 1, expired: 2 } as const;
  const t = (iso: string) => Date.parse(iso);
  return [...silences].sort((a, b) => {
    const ra = rank[a.status.state];
    const rb = rank[b.status.state];
    if (ra !== rb) return ra - rb;
    if (a.status.state === 'active') return t(a.endsAt) - t(b.endsAt);
    if (a.status.state === 'pending') return t(a.startsAt) - t(b.startsAt);
    return t(b.endsAt) - t(a.endsAt);
  });
}

/**
 * A `filter` on silences, as Alertmanager reads it: the silence's equality
 * matchers are taken as a label set, and every filter matcher must match
 * that set (so `alertname=CartDown` finds the silences of CartDown; a
 * silence's regex matchers are not expanded).
 */
export function silenceMatchesFilter(silence: Silence, filter: Matcher[]): boolean {
  if (filter.length === 0) return true;
  const labels: Labels = {};
  for (const m of silence.matchers) if (!m.isRegex && m.isEqual) labels[m.name] = m.value;
  return compileMatchers(filter)(labels);
}

/** A silence whose every matcher matches the empty string would silence every alert; Alertmanager refuses it too. */
export function silencesEverything(matchers: Matcher[]): boolean {
  return matchers.every((m) => compileMatcher(m)({}));
}
