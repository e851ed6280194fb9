/**
 * The latest version of a package as an npm registry publishes it: the
 * `dist-tags.latest` of its packument, `GET {registry}/{escaped name}`.
 */

export interface RegistryOptions {
  /** e.g. https://registry.npmjs.org or http://127.0.0.1:4873 (a path is kept: https://host/npm/) */
  registry: string;
  /** for each request, body included */
  timeoutMs: number;
  /** a private registry's read token, sent as a Bearer token */
  authToken?: string | undefined;
  /** the most a packument may weigh; the abbreviated form of even a large package is well below it */
  maxBytes?: number | undefined;
}

/** registryFailed: the registry itself did not answer properly (unreachable, timed out, 5xx), as against an answer about this package. */
export type LatestVersion = { ok: true; latest: string } | { ok: false; error: string; registryFailed: boolean };

// validate-npm-package-name's rule, with capitals for the old packages that
// have them: nothing in a name can leave the path segment it is put in.
const packageName = /^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;

/** How npm itself addresses a package: the scope's slash is escaped, the @ is not (@types%2fnode). */
export function packumentUrl(registry: string, name: string): string | null {
  if (!packageName.test(name) || name.length > 214) return null;
  return `${registry.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`;
}

export async function fetchLatestVersion(opts: RegistryOptions, name: string): Promise<LatestVersion> {
  const url = packumentUrl(opts.registry, name);
  if (!url) return { ok: false, error: `"${name}" is not a valid npm package name`, registryFailed: false };
  // The abbreviated packument ("corgi") carries dist-tags and is a fraction of the full document.
  const headers: Record<string, string> = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' };
  if (opts.authToken) headers.authorization = `Bearer ${opts.authToken}`;
  let text: string;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'follow' });
    if (res.status === 404) {
      await res.body?.cancel();
      return { ok: false, error: `${name} is not on ${opts.registry} (404; a private package on another registry?)`, registryFailed: false };
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return { ok: false, error: `${opts.registry} refused to show ${name} (${res.status}): give the check a read token`, registryFailed: false };
    }
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, error: `${opts.registry} answered ${res.status} for ${name}`, registryFailed: res.status >= 500 };
    }
    text = await readCapped(res, opts.maxBytes ?? 32 * 1024 * 1024);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { ok: false, error: `${opts.registry} did not answer for ${name} within ${opts.timeoutMs} ms`, registryFailed: true };
    return { ok: false, error: `cannot reach ${opts.registry} for ${name}: ${e.cause?.code ?? e.cause?.message ?? e.message}`, registryFailed: true };
  }
  let packument: unknown;
  try {
    packument = JSON.parse(text);
  } catch {
    return { ok: false, error: `${opts.registry} answered for ${name} with something that is not JSON`, registryFailed: false };
  }
  const latest = (packument as { 'dist-tags'?: { latest?: unknown } } | null)?.['dist-tags']?.latest;
  if (typeof latest !== 'string') return { ok: false, error: `${opts.registry} has no dist-tags.latest for ${name}`, registryFailed: false };
  return { ok: true, latest };
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`packument larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Stops asking a registry that keeps failing: after `failuresInARow`
 * failures of the registry itself with no proper answer between them, the
 * rest are not asked (a dead registry behind a firewall would otherwise cost
 * a timeout for every dependency).
 */
export class RegistryCircuit {
  private inARow = 0;
  private last = '';
  constructor(private readonly failuresInARow: number) {}

  get open(): boolean {
    return this.inARow >= this.failuresInARow;
  }

  get why(): string {
    return `not asked: the registry failed ${this.inARow} times in a row (last: ${this.last})`;
  }

  record(result: LatestVersion): void {
    if (!result.ok && result.registryFailed) {
      this.inARow++;
      this.last = result.error;
    } else {
      this.inARow = 0;
    }
  }
}

/** Runs fn over items with at most `limit` at a time; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
