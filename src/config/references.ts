import { closest, distance } from 'fastest-levenshtein';
import type { ReferenceProblem } from './configDoc.js';
import type { LoadedConfig } from './loadedConfig.js';

/** A problem when `name` is not a document of `kind`, with a suggestion for a likely typo. */
export function mustExist(
  config: LoadedConfig,
  kind: string,
  name: string | undefined,
  path: Array<string | number>,
): ReferenceProblem[] {
  if (name === undefined) return [];
  const names = [...config.byKind(kind).keys()];
  if (names.includes(name)) return [];
  const noun = kind.toLowerCase();
  let message = `${noun} "${name}" does not exist`;
  const guess = names.length ? closest(name, names) : undefined;
  if (guess && distance(name, guess) <= Math.max(2, Math.floor(name.length / 3))) message += ` (did you mean "${guess}"?)`;
  else if (names.length === 0) message += ` (no ${kind} is defined)`;
  return [{ path, message }];
}
