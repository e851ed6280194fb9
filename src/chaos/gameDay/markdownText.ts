/**
 * Text from outside (an alert's summary, a probe's output) placed in
 * Markdown so it cannot change the document's structure: one line, table
 * pipes escaped, and the characters that start emphasis, links, code, raw
 * HTML or entities backslash-escaped (CommonMark shows them as written).
 */
export function inline(text: unknown, max = 200): string {
  let s = String(text ?? '').replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return s.replace(/[\\`*_[\]<>|#&~]/g, '\\$&');
}

/** A value shown as code (a tolerance, a target): one line, in a fence longer than any backtick run in it. */
export function code(value: unknown, max = 200): string {
  let s = (typeof value === 'string' ? value : JSON.stringify(value) ?? 'null').replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  // in a table a pipe splits the cell even inside code; GFM reads \| there as a pipe
  s = s.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A table: a header row and rows of cells already made safe with inline() or code(). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** An instant as a person reads it in a report: UTC to the second. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ');
}
