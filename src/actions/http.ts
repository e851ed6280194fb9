import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { defineAction } from './action.js';
import { allowedHostsSchema, urlHostRefusal, withTemplatesFilledIn } from './allowedHosts.js';

const MAX_BODY_CHARS = 4096;

/** An absolute http:// or https:// URL, templates allowed (where they may sit is the template checker's business). */
export const httpUrlSchema = z.string().superRefine((url, ctx) => {
  let protocol = '';
  try {
    protocol = new URL(withTemplatesFilledIn(url)).protocol;
  } catch {
    // not a URL; said below
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  const schemeTemplated = /^[^:/]*\{\{/.test(url);
  ctx.addIssue({
    code: 'custom',
    message: schemeTemplated
      ? 'must start with http:// or https:// and a host written in the runbook: a template may not choose the scheme'
      : 'must be an absolute http(s) URL such as https://lb.internal/api/drain',
  });
});

export const httpParams = z
  .object({
    url: httpUrlSchema,
    /** the hosts a templated host may name: ["web-*.shop.internal:8080"]; checked before every request */
    allowedHosts: allowedHostsSchema.optional(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    /** plain header values */
    headers: z.record(z.string(), z.string()).default({}),
    /** header values taken from environment variables by name, so secrets stay out of the runbook: { Authorization: LB_TOKEN } */
    headersFromEnv: z.record(z.string(), z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable')).default({}),
    body: z.unknown().optional(),
    expectStatus: z.array(z.number().int().min(100).max(599)).default([200, 201, 202, 204]),
    timeout: durationSchema.default(10_000),
    retries: z.number().int().min(0).max(10).default(2),
    backoff: durationSchema.default(1000),
  })
  .strict();

/**
 * Calls an HTTP API (a load balancer, a cloud control plane, a service's
 * admin endpoint). A status outside expectStatus, a timeout or a refused
 * connection is retried with doubling backoff, then fails the step.
 */
export const httpAction = defineAction({
  name: 'http',
  description: 'send an HTTP request; expected status, secrets in headers from the environment, retries with backoff',
  risk: 'disruptive',
  params: httpParams,
  async run(params, ctx) {
    const refusal = params.allowedHosts ? urlHostRefusal(params.url, params.allowedHosts) : null;
    if (refusal) return { ok: false, summary: `${params.method} ${params.url}: refused: ${refusal}`, output: { refused: refusal } };
    const headers: Record<string, string> = { ...params.headers };
    for (const [name, variable] of Object.entries(params.headersFromEnv)) {
      const value = process.env[variable];
      if (value === undefined) return { ok: false, summary: `environment variable ${variable} (for header ${name}) is not set`, output: {} };
      headers[name] = value;
    }
    let body: string | undefined;
    if (params.body !== undefined) {
      body = typeof params.body === 'string' ? params.body : JSON.stringify(params.body);
      if (typeof params.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    // with allowedHosts a redirect is not followed: it could lead off the list
    const redirect = params.allowedHosts ? 'manual' : 'follow';
    const attempts: Array<{ status: number | null; error?: string; durationMs: number }> = [];
    for (let attempt = 0; attempt <= params.retries; attempt++) {
      if (attempt > 0) await sleep(params.backoff * 2 ** (attempt - 1), undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) break;
      const started = Date.now();
      try {
        const res = await fetch(params.url, { method: params.method, headers, body, redirect, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(params.timeout)]) });
        const text = (await res.text()).slice(0, MAX_BODY_CHARS);
        attempts.push({ status: res.status, durationMs: Date.now() - started });
        if (params.expectStatus.includes(res.status)) {
          // secrets are never echoed: only the header names are kept
          return { ok: true, summary: `${params.method} ${params.url}: ${res.status}`, output: { status: res.status, body: text, attempts, headers: Object.keys(headers) } };
        }
        ctx.log(`${params.method} ${params.url}: ${res.status}, expected ${params.expectStatus.join(' or ')}`);
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (err as Error).name;
        attempts.push({ status: null, error: reason, durationMs: Date.now() - started });
      }
    }
    const last = attempts[attempts.length - 1];
    return {
      ok: false,
      summary: `${params.method} ${params.url}: ${last?.status ?? last?.error ?? 'cancelled'} after ${attempts.length} attempt(s)`,
      output: { attempts, headers: Object.keys(headers) },
    };
  },
});
