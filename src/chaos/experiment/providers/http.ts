import { request as httpsRequest } from 'node:https';
import type { HttpProvider } from '../schema.js';
import { substitute } from '../substitute.js';
import { abortedError, ActivityFailed, type ProviderContext } from './context.js';

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  /** parsed when the response's Content-Type is JSON, else the text */
  body: unknown;
}

const MAX_BODY = 4 * 1024 * 1024;

function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media.endsWith('+json');
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!isJson(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function formEncode(args: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(args)) {
    if (v === null || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, typeof item === 'string' ? item : typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return params;
}

/**
 * Chaos Toolkit's http provider: GET sends `arguments` as the query
 * string, other methods as the body (JSON when the request's Content-Type
 * is application/json, a form otherwise). Any response is a success, a 500
 * as much as a 200, unless `expected_status` says which are; the output is
 * `{status, headers, body}`. A connection error or the timeout fails the
 * activity.
 */
export async function runHttp(provider: HttpProvider, ctx: ProviderContext): Promise<HttpOutput> {
  const url = String(substitute(provider.url, ctx.lookup));
  const method = (provider.method ?? 'GET').toUpperCase();
  const headers = Object.fromEntries(Object.entries(substitute(provider.headers ?? {}, ctx.lookup)).map(([k, v]) => [k, String(v)]));
  let args = substitute(provider.arguments, ctx.lookup);
  if (ctx.value) args = { ...(args ?? {}), value: ctx.value.output };
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new ActivityFailed(`${url} is not a URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ActivityFailed(`${url} is not an http or https URL`);
  let body: string | undefined;
  if (args !== undefined) {
    if (method === 'GET') for (const [k, v] of formEncode(args)) target.searchParams.append(k, v);
    else if (Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'content-type' && isJson(v))) body = JSON.stringify(args);
    else {
      body = formEncode(args).toString();
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
  }
  const timeoutMs = provider.timeout === undefined ? undefined : (Array.isArray(provider.timeout) ? provider.timeout[0] + provider.timeout[1] : provider.timeout) * 1000;
  const attempts = 1 + (provider.max_retries ?? 0);
  for (let attempt = 1; ; attempt++) {
    const signals = [ctx.signal, ...(timeoutMs === undefined ? [] : [AbortSignal.timeout(timeoutMs)])];
    const signal = AbortSignal.any(signals);
    try {
      const out = provider.verify_tls === false && target.protocol === 'https:' ? await insecureRequest(target, method, headers, body, signal) : await fetchRequest(target, method, headers, body, signal);
      if (provider.expected_status !== undefined) {
        const expected = Array.isArray(provider.expected_status) ? provider.expected_status : [provider.expected_status];
        if (!expected.includes(out.status)) throw new ActivityFailed(`${method} ${url} answered ${out.status}, expected ${expected.join(' or ')}`);
      }
      return out;
    } catch (err) {
      if (err instanceof ActivityFailed) throw err;
      if (ctx.signal.aborted) throw abortedError(ctx.signal);
      if (signal.aborted) throw new ActivityFailed(`activity took too long to complete (timeout ${timeoutMs! / 1000}s)`);
      if (attempt < attempts) continue;
      const cause = (err as { cause?: { message?: string; code?: string } }).cause;
      throw new ActivityFailed(`failed to connect to ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  }
}

async function fetchRequest(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<HttpOutput> {
  const res = await fetch(url, { method, headers, body, signal });
  const text = await readLimited(res);
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k] = v));
  return { status: res.status, headers: out, body: parseBody(text, res.headers.get('content-type') ?? undefined) };
}

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ActivityFailed(`the response body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** verify_tls: false — the one case fetch cannot do: https without checking the server's certificate. */
function insecureRequest(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<HttpOutput> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, rejectUnauthorized: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new ActivityFailed(`the response body is larger than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: out, body: parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type']) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
