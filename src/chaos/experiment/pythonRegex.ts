/**
 * Chaos Toolkit's regex tolerance uses Python's `re`. Most patterns mean
 * the same in JavaScript; the Python-only spellings are translated:
 * `(?P<name>…)`, `(?P=name)`, `\A`, `\Z`, and inline flags at the start
 * such as `(?i)` or `(?ms)`.
 */
export function pythonRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1] as string) {
      if (f === 'i' || f === 'm' || f === 's') flags += flags.includes(f) ? '' : f;
      else if (f === 'x') throw new Error('the verbose flag (?x) is not supported');
    }
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/(?<!\\)((?:\\\\)*)\\A/g, '$1^')
    .replace(/(?<!\\)((?:\\\\)*)\\Z/g, '$1$(?![\\s\\S])');
  return new RegExp(source, flags);
}
