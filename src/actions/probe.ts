import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { runHealthCheck, type HealthCheck } from '../probes/healthCheck.js';
import { defineAction } from './action.js';
import { allowedHostsSchema, templatedHostProblem } from './allowedHosts.js';
import { httpUrlSchema } from './http.js';

const envNames = z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable'));

export const healthCheckSchema = z
  .object({
    http: z
      .object({
        url: httpUrlSchema,
        status: z.number().int().min(100).max(599).default(200),
        timeout: durationSchema.default(5000),
        /** the hosts a templated host may name; checked before the request */
        allowedHosts: allowedHostsSchema.optional(),
      })
      .strict()
      .optional(),
    tcp: z
      .object({ address: z.string().min(1), timeout: durationSchema.default(5000), allowedHosts: allowedHostsSchema.optional() })
      .strict()
      .superRefine((c, ctx) => {
        const problem = templatedHostProblem('the address', c.address, c.allowedHosts);
        if (problem) ctx.addIssue({ code: 'custom', path: ['address'], message: problem });
      })
      .optional(),
    /** runs with PATH and the variables `env` names, as an exec step does */
    exec: z.object({ argv: z.array(z.string()).min(1), timeout: durationSchema.default(10_000), env: envNames.optional() }).strict().optional(),
  })
  .strict()
  .refine((p) => [p.http, p.tcp, p.exec].filter(Boolean).length === 1, 'give exactly one of http, tcp or exec')
  .transform((p) => p as HealthCheck);

/** A health check as a step: passes when the check passes. */
export const probeAction = defineAction({
  name: 'probe',
  description: 'check health (HTTP status, TCP connect or command exit); the step fails when the check does',
  risk: 'safe',
  params: healthCheckSchema,
  async run(params) {
    const r = await runHealthCheck(params);
    return { ok: r.ok, summary: r.summary, output: { latencyMs: r.latencyMs } };
  },
});
