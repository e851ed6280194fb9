/**
 * Calls one dependency: round-robin over its current endpoints, and on a connection error
 * (refused, reset, closed) one more try on the next endpoint, within the same deadline.
 */
import { describeFetchError, type EndpointSource } from './discovery.js';
import { HttpError } from './http.js';

/** A failed call to a dependency. `status` is what the caller answers: 503 none, 504 timeout, 502 else. */
export class DependencyError extends HttpError {
  constructor(
    status: number,
    message: string,
    /** The dependency's own status when it answered, e.g. 404 for an unknown product. */
    readonly upstreamStatus?: number,
  ) {
    super(status, message);
  }
}

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export interface CallOptions {
  body?: unknown;
  timeoutMs?: number;
  /**
   * Calls with the same key go to the same endpoint while the endpoints stay
   * the same: a cart lives on one cart host's disk, so a user's add and
   * checkout must reach the same one.
   */
  affinity?: string;
}

function affinityIndex(key: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

export class DependencyClient {
  private nextIndex = 0;

  constructor(
    readonly name: string,
    private readonly source: EndpointSource,
    private readonly defaultTimeoutMs = 2000,
  ) {}

  get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', path, { ...options, body });
  }

  delete<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('DELETE', path, options);
  }

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    let urls: string[];
    try {
      urls = await this.source.endpoints();
    } catch (err) {
      throw new DependencyError(503, `${this.name}: unavailable: ${(err as Error).message}`);
    }
    if (urls.length === 0) throw new DependencyError(503, `${this.name}: unavailable: no endpoints (${this.source.describe()} lists none)`);

    const signal = AbortSignal.timeout(timeoutMs);
    // The source's order is canonical (by host), so every caller (frontend, checkout) maps a key to the same host.
    const first = options.affinity !== undefined ? affinityIndex(options.affinity, urls.length) : this.nextIndex++ % urls.length;
    for (let attempt = 0; ; attempt++) {
      const base = urls[(first + attempt) % urls.length]!;
      const where = `${this.name} ${method} ${path} via ${base}`;
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          signal,
          headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
      } catch (err) {
        const reason = describeFetchError(err, timeoutMs);
        if (attempt === 0 && connectionErrorCodes.has(reason)) continue;
        throw new DependencyError(reason.startsWith('no answer') ? 504 : 502, `${where}: ${reason}`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch (err) {
        throw new DependencyError(502, `${where}: answered ${res.status} without a JSON body (${describeFetchError(err, timeoutMs)})`);
      }
      if (!res.ok) {
        const error = (body as { error?: unknown } | null)?.error;
        throw new DependencyError(502, `${where}: answered ${res.status}${typeof error === 'string' ? `: ${error}` : ''}`, res.status);
      }
      return body as T;
    }
  }
}

/** A dependency's 400 about the caller's input (unknown currency, bad card) is the caller's 400, not a 502. */
export async function passBadInput<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof DependencyError && err.upstreamStatus === 400) throw new HttpError(400, err.message);
    throw err;
  }
}
