/**
 * A look at an XML document before any parser builds it: JUnit reports
 * never need a DTD, so a declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT…) is
 * refused outright, wherever it stands; with none, no entity can be defined,
 * so nothing can fetch a file or a URL (XXE) or expand into gigabytes
 * (billion laughs). It also bounds nesting and the number of elements, so the
 * parser's tree stays as small as the limits say. One linear pass; comments,
 * CDATA sections, processing instructions and quoted attribute values are
 * skipped as the XML grammar says, so a "<!DOCTYPE html>" inside a CDATA
 * failure message is content, not a declaration.
 */

export interface XmlGuardLimits {
  maxDepth: number;
  maxElements: number;
}

export type XmlGuardProblem = { code: 'xml_declaration_refused' | 'xml_too_deep' | 'xml_too_many_elements' | 'xml_invalid'; message: string };

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function xmlGuardProblem(text: string, limits: XmlGuardLimits): XmlGuardProblem | null {
  let depth = 0;
  let elements = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return { code: 'xml_invalid', message: `line ${lineOf(text, i)}: a comment is not closed with -->` };
      i = text.indexOf('<', end + 3);
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) return { code: 'xml_invalid', message: `line ${lineOf(text, i)}: a CDATA section is not closed with ]]>` };
      i = text.indexOf('<', end + 3);
      continue;
    }
    if (text.startsWith('<!', i)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(i, i + 12))?.[1] ?? '';
      return {
        code: 'xml_declaration_refused',
        message: `line ${lineOf(text, i)}: <!${word}…> declarations are refused (a JUnit report needs no DTD or entities; they are how XXE and entity-expansion attacks work): remove the DOCTYPE`,
      };
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return { code: 'xml_invalid', message: `line ${lineOf(text, i)}: a processing instruction is not closed with ?>` };
      i = text.indexOf('<', end + 2);
      continue;
    }
    const closing = text.charCodeAt(i + 1) === 47; // '/'
    // To the tag's end, over quoted attribute values (which may hold '>').
    let j = i + 1;
    let quote = 0;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 62) break; // '>'
    }
    if (j >= text.length) return { code: 'xml_invalid', message: `line ${lineOf(text, i)}: a tag is not closed with >` };
    if (closing) depth--;
    else if (text.charCodeAt(j - 1) !== 47) {
      depth++;
      if (depth > limits.maxDepth) return { code: 'xml_too_deep', message: `line ${lineOf(text, i)}: elements are nested deeper than ${limits.maxDepth} levels` };
    }
    if (!closing && ++elements > limits.maxElements) return { code: 'xml_too_many_elements', message: `more than ${limits.maxElements} elements` };
    i = text.indexOf('<', j + 1);
  }
  return null;
}
