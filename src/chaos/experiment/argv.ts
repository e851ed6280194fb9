/**
 * Chaos Toolkit runs a process provider whose `arguments` is one string
 * through a shell. prodeng runs no shell: the string is split into argv
 * here, the way a POSIX shell would split words (blanks separate, '…'
 * keeps everything, "…" keeps everything but lets \" \\ \$ \` be escaped,
 * a backslash outside quotes escapes the next character), and nothing
 * else a shell does happens: no $VAR, no globs, no pipes, no ; or &&.
 */
export function splitArguments(text: string): { argv: string[] } | { error: string } {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) {
        const next = text[++i] as string;
        if (next !== '\n') word += next;
      } else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { error: 'ends with a lone backslash' };
      const next = text[++i] as string;
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: `has an unclosed ${quote === "'" ? 'single' : 'double'} quote` };
  if (inWord) argv.push(word);
  return { argv };
}
