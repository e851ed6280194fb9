import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { runHealthCheck, type HealthCheck } from '../probes/healthCheck.js';
import { defineAction } from './action.js';

export const healthCheckSchema = z
  .object({
    http: z.object({ url: z.string().min(1), status: z.number().int().min(100).max(599).default(200), timeout: durationSchema.default(5000) }).strict().optional(),
    tcp: z.object({ address: z.string().min(1), timeout: durationSchema.default(5000) }).strict().optional(),
    exec: z.object({ argv: z.array(z.string()).min(1), timeout: durationSchema.default(10_000) }).strict().optional(),
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
