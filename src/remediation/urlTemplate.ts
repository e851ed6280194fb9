// Where a templated value sits in a URL decides how it is written there.
// `http://lb.internal/members/{{ labels.node }}/drain` must reach the
// member named by the label, never `/admin` because a label said
// `../../admin`, and never another host because a label said `evil/#`.
// Values are encoded for their part; the scheme, credentials, host and
// port are the runbook's to choose, the last two only with allowedHosts.

import type { TemplatePart } from './templates.js';

/** The parts of a URL a reference can sit in. */
export type UrlPlace = 'scheme' | 'userinfo' | 'host' | 'port' | 'path' | 'query' | 'fragment';

type Section = 'scheme' | 'authority' | 'path' | 'query' | 'fragment';

/** A URL template as single characters of literal text (with the section each opens or belongs to) and references (with their place). */
type UrlToken = { char: string; section: Section } | { ref: string[]; place: UrlPlace };

/** A value that may not go where the template puts it. */
export interface UrlRefusal {
  code: 'url_host_not_allowed' | 'url_host_invalid' | 'url_port_invalid' | 'url_dot_segment' | 'url_part_not_templatable';
  message: string;
}

const HOST_VALUE = /^[A-Za-z0-9._~:[\]-]+$/;
const PORT_VALUE = /^\d{1,5}$/;

function tokenize(parts: TemplatePart[]): UrlToken[] {
  const tokens: UrlToken[] = [];
  let section: Section = 'scheme';
  let scheme = '';
  // references in the authority so far: an "@" after them makes them userinfo
  let authorityRefs: Array<{ place: UrlPlace }> = [];
  let afterColon = false;
  let inBrackets = false;
  for (const part of parts) {
    if ('ref' in part) {
      const place: UrlPlace = section === 'authority' ? (afterColon ? 'port' : 'host') : section;
      const token = { ref: part.ref, place };
      if (section === 'authority') authorityRefs.push(token);
      tokens.push(token);
      continue;
    }
    for (const char of part.text) {
      if (section === 'scheme') {
        scheme += char;
        if (scheme.endsWith('://')) section = 'authority';
        tokens.push({ char, section: 'scheme' });
        continue;
      }
      if (section === 'authority') {
        if (char === '@') {
          for (const t of authorityRefs) t.place = 'userinfo';
          authorityRefs = [];
          afterColon = false;
        } else if (char === '[') inBrackets = true;
        else if (char === ']') inBrackets = false;
        else if (char === ':' && !inBrackets) afterColon = true;
        else if (char === '/') section = 'path';
      }
      if ((section === 'authority' || section === 'path') && char === '?') section = 'query';
      else if (char === '#') section = 'fragment';
      tokens.push({ char, section });
    }
  }
  return tokens;
}

const hostAdvice = 'write the host in the URL, or list the hosts it may reach beside it, e.g. allowedHosts: ["web-*.shop.internal:8080"]';

/** Load-time problems: references that sit where a template may not choose. */
export function urlTemplateProblems(template: string, parts: TemplatePart[], hostsAllowed: boolean): string[] {
  const problems: string[] = [];
  for (const token of tokenize(parts)) {
    if (!('ref' in token)) continue;
    const ref = `{{ ${token.ref.join('.')} }}`;
    if (token.place === 'scheme') {
      problems.push(`${ref} would choose the scheme of ${JSON.stringify(template)}: write the scheme and host in the runbook (https://lb.internal/…) and template only the path, query or fragment`);
    } else if (token.place === 'userinfo') {
      problems.push(`${ref} sits in the user:password part of ${JSON.stringify(template)}: credentials never come from an alert; send them in a header with headersFromEnv`);
    } else if ((token.place === 'host' || token.place === 'port') && !hostsAllowed) {
      problems.push(`${ref} would choose the ${token.place} of ${JSON.stringify(template)}, so whoever sends the alert would choose where prodeng sends requests: ${hostAdvice}`);
    }
  }
  return problems;
}

/** "." and ".." climb even when their dots are percent-encoded (WHATWG URL parsing, as fetch does). */
function isDotSegment(segment: string): boolean {
  const s = segment.toLowerCase().replaceAll('%2e', '.');
  return s === '.' || s === '..';
}

/**
 * Renders a URL template: path values as one segment each, query and
 * fragment values with encodeURIComponent, host and port values only when
 * the template allows hosts and only with host characters (which host is
 * then checked against allowedHosts before any request).
 */
export function renderUrlTemplate(
  template: string,
  parts: TemplatePart[],
  valueOf: (ref: string[]) => string | undefined,
  hostsAllowed: boolean,
): { ok: true; value: string; missing: string[] } | { ok: false; refusal: UrlRefusal } {
  const missing: string[] = [];
  let value = '';
  let segment = '';
  let segmentTemplated = false;
  let dotRef = '';
  const refuse = (code: UrlRefusal['code'], message: string) => ({ ok: false as const, refusal: { code, message } });
  const segmentEnds = () => {
    const climbs = segmentTemplated && isDotSegment(segment);
    segment = '';
    segmentTemplated = false;
    return climbs;
  };
  const climbing = () =>
    refuse('url_dot_segment', `${dotRef} makes a path segment of ${JSON.stringify(template)} "." or "..", which would climb out of the path the runbook wrote; refusing`);
  for (const token of tokenize(parts)) {
    if ('char' in token) {
      if ((token.section !== 'path' || token.char === '/') && segmentEnds()) return climbing();
      if (token.section === 'path' && token.char !== '/') segment += token.char;
      value += token.char;
      continue;
    }
    const name = token.ref.join('.');
    const found = valueOf(token.ref);
    if (found === undefined || found === '') {
      missing.push(name);
      continue;
    }
    const shown = `${name} is ${JSON.stringify(found)}`;
    switch (token.place) {
      case 'scheme':
      case 'userinfo':
        return refuse('url_part_not_templatable', `${shown}, in the ${token.place === 'scheme' ? 'scheme' : 'user:password part'} of ${JSON.stringify(template)}, which a template may not fill`);
      case 'host':
      case 'port':
        if (!hostsAllowed) return refuse('url_host_not_allowed', `${name} would choose the ${token.place} of ${JSON.stringify(template)}: ${hostAdvice}`);
        if (token.place === 'port' && !PORT_VALUE.test(found)) return refuse('url_port_invalid', `${shown}, in the port of ${JSON.stringify(template)}: a port is digits only`);
        if (!HOST_VALUE.test(found)) {
          return refuse('url_host_invalid', `${shown}, in the host of ${JSON.stringify(template)}: a value there may hold only letters, digits, ".", "-", "_", "~", ":" and IPv6 brackets`);
        }
        value += found;
        break;
      case 'path': {
        const encoded = encodeURIComponent(found);
        segment += encoded;
        segmentTemplated = true;
        dotRef = name;
        value += encoded;
        break;
      }
      default:
        value += encodeURIComponent(found);
    }
  }
  if (segmentEnds()) return climbing();
  return { ok: true, value, missing };
}
