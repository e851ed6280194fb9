import { z } from 'zod';

// The explicit opt-in that lets a template choose where a request goes:
//   allowedHosts: ["web-*.shop.internal:8080", "127.0.0.1:*"]
// Each entry is host or host:port; `*` stands for any run of characters
// (dots included). An entry without a port allows the protocol's own port
// only (80/443 for http/https, 22 for ssh). Matching is on the host as the
// connection would reach it (a URL parser's lower-cased, IPv4-normalised
// hostname) and never runs a regular expression built from config.

const PATTERN = /^(\[[0-9A-Fa-f:.*]+\]|[A-Za-z0-9.*_~-]+)(:(\*|\d{1,5}))?$/;

const patternSchema = z
  .string()
  .regex(PATTERN, 'write host or host:port, with * for any run of characters, e.g. "web-*.shop.internal:8080" or "127.0.0.1:*"')
  .refine((p) => /[^*]/.test(p.replace(/:(\*|\d+)$/, '')), 'a pattern that matches every host is not a list of hosts; name the hosts (e.g. "*.shop.internal")');

export const allowedHostsSchema = z.array(patternSchema).min(1, 'list at least one host, e.g. ["web-*.shop.internal:8080"]');

// A runbook's parameters hold templates (`{{ labels.node }}`) until a
// remediation renders them: a shape check at load time sees each as one
// harmless character.
const TEMPLATE_REFERENCE = /\{\{.*?\}\}/g;

/** The value with each template reference as "1", for checking the shape around them. */
export function withTemplatesFilledIn(value: string): string {
  return value.replace(TEMPLATE_REFERENCE, '1');
}

/**
 * For a parameter that is a whole host or host:port (a TCP check's
 * address, an ssh step's host): a template there chooses where prodeng
 * connects, so it needs allowedHosts beside it. Null when it is fine.
 */
export function templatedHostProblem(what: string, value: string, allowedHosts: readonly string[] | undefined): string | null {
  if (!value.includes('{{') || allowedHosts) return null;
  return `${what} ${JSON.stringify(value)} comes from a template, so whoever sends the alert would choose where prodeng connects: write the host, or list the hosts it may reach beside it, e.g. allowedHosts: ["db-*.shop.internal:5432"]`;
}

/**
 * Glob match with `*` only, without backtracking: the pieces between stars
 * are found left to right, each once, so the time is linear in the text
 * for a given pattern (leftmost placement is always right for `*`).
 */
export function globMatches(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

function splitPattern(pattern: string): { host: string; port: string | null } {
  const m = /^(.*?)(?::(\*|\d{1,5}))?$/.exec(pattern.toLowerCase())!;
  // "[::1]" keeps its colons: only a colon after the bracket is a port
  if (pattern.startsWith('[') && !m[1]!.endsWith(']')) return { host: pattern.toLowerCase(), port: null };
  return { host: m[1]!, port: m[2] ?? null };
}

function allows(allowed: readonly string[], host: string, port: number, defaultPort: number | null): boolean {
  const h = host.toLowerCase();
  return allowed.some((pattern) => {
    const p = splitPattern(pattern);
    const portOk = p.port === null ? port === defaultPort : p.port === '*' || Number(p.port) === port;
    return portOk && globMatches(p.host, h);
  });
}

const notListed = (what: string, allowed: readonly string[]) => `${what} is not in allowedHosts (${allowed.join(', ')}); nothing was sent`;

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+):(\d{1,5})$/;

/**
 * A plain host:port as a connection reaches it: the host as a URL parser
 * normalises it (lower case; 2130706433 and 0x7f.1 are 127.0.0.1), so the
 * host that is checked is the host that is connected to. Null for
 * anything else (userinfo, paths, spaces).
 */
export function hostPortOf(address: string): { host: string; port: number } | null {
  const m = HOST_PORT.exec(address);
  if (!m || Number(m[2]) > 65535) return null;
  try {
    return { host: new URL(`http://${m[1]}`).hostname, port: Number(m[2]) };
  } catch {
    return null;
  }
}

/** Why a connection to host:port may not be made under `allowed`, or null when it may. `defaultPort` is what a pattern without a port means. */
export function hostRefusal(host: string, port: number, allowed: readonly string[], defaultPort: number | null): string | null {
  return allows(allowed, host, port, defaultPort) ? null : notListed(`host ${host}:${port}`, allowed);
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Why the host and port a URL would reach may not be reached under `allowed`, or null when they may. */
export function urlHostRefusal(url: string, allowed: readonly string[]): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL; nothing was sent`;
  }
  const defaultPort = DEFAULT_PORTS[u.protocol] ?? null;
  const port = u.port === '' ? (defaultPort ?? 0) : Number(u.port);
  return allows(allowed, u.hostname, port, defaultPort) ? null : notListed(`host ${u.hostname}:${port} of ${url}`, allowed);
}
