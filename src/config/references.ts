import { closest, distance } from 'fastest-levenshtein';

/** The candidate `name` is most likely a typo of, if any. */
export function likelyMeant(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const guess = closest(name, candidates as string[]);
  const d = distance(name, guess);
  // Up to 2 edits for short names, 3 for long ones; never when nearly every
  // character differs ("db" is not a typo of "ui").
  const allowed = Math.min(3, Math.max(2, Math.floor(name.length / 3)));
  return d <= allowed && d < name.length ? guess : undefined;
}

/** ` (did you mean "payments"?)` when a name is a likely typo of one of `candidates`, else ''. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const guess = likelyMeant(name, candidates);
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}

/** A problem when `name` names no document of `kind`, with a suggestion for a likely typo. */
export function mustExist(
  config: { declaredNames(kind: string): string[] },
  kind: string,
  name: string | undefined,
  path: Array<string | number>,
): { path: Array<string | number>; message: string }[] {
  if (name === undefined) return [];
  const names = config.declaredNames(kind);
  if (names.includes(name)) return [];
  const hint = names.length === 0 ? ` (no ${kind} is defined)` : didYouMean(name, names);
  return [{ path, message: `${kindInProse(kind)} "${name}" does not exist${hint}` }];
}

/** `EscalationPolicy` → `escalation policy`, `SLOPolicy` → `SLO policy`, as a sentence would say it (acronyms stay). */
function kindInProse(kind: string): string {
  return kind
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((word) => (/^[A-Z]{2,}$/.test(word) ? word : word.toLowerCase()))
    .join(' ');
}
