/** Larger than any real catalog file; a bound on what a URL can make prodeng hold. */
const MAX_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 15_000;

/** The text at an http(s) URL, or an Error saying why not (status, timeout, size). */
export async function fetchCatalogText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/yaml, text/yaml, text/plain, */*' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error((err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000}s` : `cannot fetch${cause ? ` (${cause})` : ''}: ${(err as Error).message}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) {
    await res.body?.cancel();
    throw new Error(`larger than ${MAX_BYTES} bytes`);
  }
  const body = await res.arrayBuffer();
  if (body.byteLength > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
  return new TextDecoder().decode(body);
}
