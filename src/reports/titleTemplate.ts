/**
 * Alert titles folded into templates, so that the Pareto counts kinds of
 * alert rather than individual firings: "disk 91% on host-7" and "disk 93% on
 * host-2" are both "disk <pct> on <host>".
 *
 * What a rule replaces is what varies between firings of one alert rule
 * (where, how much, which request); what it keeps is what tells two alert
 * rules apart (the metric, the path, p99 vs p50, HTTP 503 vs 404, the
 * heartbeat's or probe's name). The rules run in order: each one sees the
 * placeholders of the ones before, which is why the wide shapes (quoted
 * values, URLs, addresses) go first and bare numbers go last.
 */

export interface TitleRule {
  name: string;
  /** what the rule writes in place of what it matched */
  placeholder: string;
  pattern: RegExp;
  /** return the match unchanged to decline it */
  replace?: (match: string, offset: number, text: string) => string;
}

// A host name's last label when it has only two ("db-3.internal"): with
// three or more labels any alphabetic last label will do.
const topLevelDomains = new Set(['com', 'net', 'org', 'io', 'dev', 'app', 'cloud', 'internal', 'local', 'lan', 'corp', 'intra', 'home', 'arpa', 'co', 'eu', 'us', 'uk', 'de']);

// "backup.tar.gz" and "prometheus.rules.yml" look like host names; file
// names are kept, since the file usually is the point of the alert.
const fileExtensions = new Set([
  'yaml', 'yml', 'json', 'js', 'mjs', 'ts', 'py', 'go', 'rb', 'java', 'jar', 'war', 'log', 'conf', 'cfg', 'ini', 'txt', 'sh',
  'html', 'xml', 'csv', 'gz', 'tgz', 'tar', 'zip', 'bz2', 'xz', 'zst', 'sql', 'db', 'sqlite', 'pid', 'sock', 'lock', 'so',
  'service', 'timer', 'socket', 'mount', 'rules', 'pem', 'crt', 'key', 'toml', 'md', 'bak', 'tmp', 'swp', 'img', 'iso',
]);

// "utf-8", "sha-256", "SEV-1": name-number tokens whose number is the meaning, not an instance.
const meaningfulNumbered = /^(?:utf|ucs|sha|md|crc|iso|rfc|cve|sev|p|tls|ssl|http|https|ipv|x|latin|windows|base)[-_]\d+$/i;

// Three digits after these words are an HTTP status: 503 and 404 are different problems.
const statusCodeContext = /(?:\bHTTP(?:\/[\d.]+)?|\bstatus(?: code)?|\bcode|\breturn(?:ed|s)?|\bresponded(?: with)?|\bexpected|\bgot|<url>:)\s*[:=]?\s*$/i;

// Kubernetes' alphabet for generated name suffixes: no vowels, no 0, 1, 3.
const k8s = '[bcdfghjklmnpqrstvwxz2456789]';

function isIpv6(candidate: string): boolean {
  const bare = candidate.replace(/^\[/, '').replace(/\](?::\d+)?$/, '');
  if (!/[0-9a-f]/i.test(bare)) return false;
  const groups = bare.split(':').length;
  // "10:00:00" is a time and "00:1a:2b:3c:4d:5e" a MAC: an address has "::" or all eight groups.
  return bare.includes('::') ? groups >= 3 : groups === 8;
}

function isHostName(candidate: string): boolean {
  const labels = candidate.replace(/:\d+$/, '').toLowerCase().split('.');
  const last = labels[labels.length - 1] ?? '';
  if (!/^[a-z]{2,}$/.test(last) || fileExtensions.has(last)) return false;
  return labels.length >= 3 || topLevelDomains.has(last);
}

export const titleRules: readonly TitleRule[] = [
  {
    // Values the sender quoted are arguments, not words: `Queue "invoices"`, {job="node"}.
    // An apostrophe inside a word ("can't") is not a quote.
    name: 'quoted',
    placeholder: '<quoted>',
    pattern: /"[^"\n]*"|(?<![\w])'[^'\n]*'(?![\w])|`[^`\n]*`|“[^”\n]*”|‘[^’\n]*’/g,
  },
  {
    // A URL names one endpoint of one host (the probe's target); the path
    // and query are too often ids to keep. Trailing punctuation is the sentence's.
    name: 'url',
    placeholder: '<url>',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()[\]{}]+/gi,
    replace: (match) => {
      const trailing = /[.,;:!?]+$/.exec(match)?.[0] ?? '';
      return `<url>${trailing}`;
    },
  },
  { name: 'email', placeholder: '<email>', pattern: /[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi },
  { name: 'uuid', placeholder: '<uuid>', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  {
    // Before the numbers and names that a date contains: "backup-2026-11-21".
    name: 'timestamp',
    placeholder: '<time>',
    pattern: /(?<![\w])\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?(?![\w])/g,
  },
  { name: 'date', placeholder: '<date>', pattern: /(?<![\w])\d{4}-\d{2}-\d{2}(?![\w])/g },
  {
    // The port belongs to the instance: "10.0.3.7:9100" is one placeholder.
    name: 'ipv4',
    placeholder: '<ip>',
    pattern: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2}|:\d{1,5})?(?!\w|\.\d)/g,
  },
  {
    name: 'ipv6',
    placeholder: '<ip>',
    pattern: /\[[0-9a-f:.]+\](?::\d{1,5})?|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi,
    replace: (match) => (isIpv6(match) ? '<ip>' : match),
  },
  {
    // "web-12.prod.example.com", "db-3.internal:5432"; not "config.yaml" or "97.3".
    name: 'hostname',
    placeholder: '<host>',
    pattern: /(?<![\w.-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?(?![\w-]|\.\w)/gi,
    replace: (match) => (isHostName(match) ? '<host>' : match),
  },
  {
    // Deployment pods (checkout-7d9f8b6c4-x2kqp) and daemonset pods (node-exporter-x2kqp, with a digit
    // in the suffix so that ordinary words are not taken for one).
    name: 'pod',
    placeholder: '<pod>',
    pattern: new RegExp(`(?<![\\w-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-(?:${k8s}{6,10}-${k8s}{5}|(?=${k8s}{0,4}\\d)(?=${k8s}{0,4}[a-z])${k8s}{5})(?![\\w-])`, 'g'),
  },
  {
    // Commits, container and trace ids: seven or more hex digits with at least one digit and one letter
    // ("deadbeef" and "defaced" are words; an all-digit run is a number).
    name: 'hex',
    placeholder: '<hex>',
    pattern: /(?<![a-z0-9])(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,})(?![a-z0-9])/gi,
  },
  {
    // Other generated ids (ULIDs, base62 keys): long runs mixing letters and at least two digits.
    name: 'id',
    placeholder: '<id>',
    pattern: /(?<![a-z0-9])(?=[a-z0-9]*\d[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{12,}(?![a-z0-9])/gi,
  },
  {
    // Numbered instances: host-7, db-3:5432, kafka-broker-2, ip-10-0-3-7, node_42, kafka-2-east.
    name: 'numbered name',
    placeholder: '<host>',
    pattern: /(?<![\w.<-])[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*?[-_]\d+(?:[-_][a-z0-9]+)*(?::\d{1,5})?(?![\w>-])/gi,
    replace: (match) => (meaningfulNumbered.test(match) ? match : '<host>'),
  },
  { name: 'version', placeholder: '<version>', pattern: /(?<![\w.])(?:v\d+(?:\.\d+)+|\d+\.\d+\.\d+)(?:-[\w.]+)?(?![\w])/gi },
  { name: 'clock time', placeholder: '<time>', pattern: /(?<![\w.:-])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\w:])/g },
  { name: 'percentage', placeholder: '<pct>', pattern: /(?<![\w.])[-+]?\d+(?:[.,]\d+)?\s?%/g },
  {
    // 500ms, 1.2s, 1h30m, 86400s: Prometheus and Go style. Lower case only: "5M" is five million.
    name: 'duration',
    placeholder: '<duration>',
    pattern: /(?<![\w.])\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w))*(?![\w])/g,
  },
  {
    // "2000 ms", "3 days", "45 seconds". Single-letter units are not taken after a space: "5 m" may be metres.
    name: 'spelled duration',
    placeholder: '<duration>',
    pattern: /(?<![\w.])\d+(?:\.\d+)?\s?(?:nanoseconds?|microseconds?|milliseconds?|millis|msecs?|ms|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)(?![\w])/gi,
  },
  { name: 'size', placeholder: '<size>', pattern: /(?<![\w.])\d+(?:\.\d+)?\s?(?:[kKMGTPE]i?B|bytes?|B)(?![\w])/g },
  {
    // Any other number (10,000, 12.5, -3, 10k, a 14.4x burn rate) except an HTTP status code in its
    // usual places and a protocol version (HTTP/1.1). The lookahead keeps "14.4x" from splitting into "14" and ".4x".
    name: 'number',
    placeholder: '<num>',
    pattern: /(?<![\w.-]|HTTP\/)[-+]?\d+(?:[.,]\d+)*(?:[kKMGT]|x)?(?![.,]?\w)/g,
    replace: (match, offset, text) => (/^[1-5]\d\d$/.test(match) && statusCodeContext.test(text.slice(Math.max(0, offset - 40), offset)) ? match : '<num>'),
  },
];

function applyRule(text: string, rule: TitleRule): string {
  const replace = rule.replace;
  if (!replace) return text.replace(rule.pattern, rule.placeholder);
  return text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    // replace() passes capture groups first; the rules have none, but find the offset robustly.
    const offset = rest.find((x) => typeof x === 'number') as number;
    return replace(match, offset, text);
  });
}

/** The template of an alert title: variable parts replaced by placeholders, whitespace collapsed. */
export function titleTemplate(title: string): string {
  let text = title.replace(/\s+/g, ' ').trim();
  for (const rule of titleRules) text = applyRule(text, rule);
  return text;
}
