/**
 * Where a service finds its dependencies: a fixed list from `--dep name=url1,url2`, or
 * prodeng's discovery API, polled every second:
 *
 *   GET {base}/api/v1/services/{name}/endpoints?from={caller}
 *   -> {"endpoints": [{"host": "cart-1", "address": "127.0.0.1:41234"}]}
 *
 * `from` names the calling service, so prodeng can put a fault proxy on this one edge
 * (the address is then the proxy's) when the called service takes one.
 *
 * Addresses are host:port and are called over http://. An empty list means the dependency
 * is unavailable. PRODENG_API_TOKEN, when set, is sent as a Bearer token.
 */

export interface EndpointSource {
  /**
   * Base URLs (`http://host:port`) of the dependency right now; [] when it has none.
   * In a canonical order (by host name from discovery, sorted for a fixed list), so every
   * caller maps an affinity key to the same host even when each reaches it by its own proxy.
   */
  endpoints(): Promise<string[]>;
  /** Where the list comes from, for error messages. */
  describe(): string;
  close(): void;
}

export class DiscoveryError extends Error {}

export function staticEndpoints(urls: string[]): EndpointSource {
  const list = urls.map(toBaseUrl).sort();
  return { endpoints: async () => list, describe: () => `--dep ${list.join(',')}`, close: () => {} };
}

export interface DiscoveryOptions {
  /** prodeng's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  service: string;
  /** the calling service, sent as `?from=` */
  from?: string;
  token?: string;
  intervalMs?: number;
  timeoutMs?: number;
  log?: (message: string) => void;
}

/**
 * Polls the discovery API. Until the first answer, callers wait for it; afterwards a failed
 * poll keeps the last list (a discovery outage should not take the shop down with it).
 */
export function discoveredEndpoints(options: DiscoveryOptions): EndpointSource {
  const { baseUrl, service, from, token, intervalMs = 1000, timeoutMs = 800, log = () => {} } = options;
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/services/${encodeURIComponent(service)}/endpoints${from ? `?from=${encodeURIComponent(from)}` : ''}`;
  let known: string[] | undefined;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const poll = async (): Promise<void> => {
    try {
      const res = await fetch(url, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) throw new DiscoveryError(`answered ${res.status}${errorText(body)}`);
      const next = parseEndpointList(body);
      if (lastError !== undefined || !sameList(known, next)) log(`discovery: ${service} endpoints now [${next.join(', ')}]`);
      known = next;
      lastError = undefined;
    } catch (err) {
      const message = err instanceof DiscoveryError ? err.message : describeFetchError(err, timeoutMs);
      // Log a failure once, not every second.
      if (message !== lastError) log(`discovery: GET ${url} failed: ${message}${known ? '; keeping the last list' : ''}`);
      lastError = message;
    }
  };

  const loop = async (): Promise<void> => {
    await poll();
    if (!closed) timer = setTimeout(() => void loop(), intervalMs).unref();
  };
  const first = loop();

  return {
    async endpoints() {
      if (known === undefined) await first;
      if (known === undefined) throw new DiscoveryError(`${service}: discovery at ${url} has not answered yet (${lastError ?? 'no answer'})`);
      return known;
    },
    describe: () => `discovery ${url}`,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** Checks a discovery answer, naming the first bad field. */
export function parseEndpointList(body: unknown): string[] {
  const list = (body as { endpoints?: unknown } | undefined)?.endpoints;
  if (!Array.isArray(list)) throw new DiscoveryError('endpoints: missing or not a list');
  const parsed = list.map((entry: unknown, i) => {
    const { address, host } = (entry as { address?: unknown; host?: unknown } | null) ?? {};
    if (typeof address !== 'string' || address === '') throw new DiscoveryError(`endpoints[${i}].address: missing or not a string`);
    try {
      return { url: toBaseUrl(address), key: typeof host === 'string' ? host : address };
    } catch {
      throw new DiscoveryError(`endpoints[${i}].address: ${JSON.stringify(address)} is not host:port`);
    }
  });
  // By host name: behind fault proxies each caller sees its own addresses for the same hosts.
  return parsed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.url);
}

/** `127.0.0.1:4001` or `http://127.0.0.1:4001/` -> `http://127.0.0.1:4001`. */
export function toBaseUrl(address: string): string {
  if (/^https?:\/\//.test(address)) return new URL(address).origin;
  if (!/:\d+$/.test(address)) throw new TypeError(`${address}: not host:port`);
  return new URL(`http://${address}`).origin;
}

function sameList(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

function errorText(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? `: ${error}` : '';
}

export function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
