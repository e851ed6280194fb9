import { z } from 'zod';
import { defineKind, durationSchema, mustExist, type ConfigDoc } from '../config/index.js';

export const probeSpecSchema = z
  .object({
    /** which hosts it checks: those of a pool, of a service, or carrying labels (all given must hold) */
    hosts: z
      .object({ pool: z.string().optional(), service: z.string().optional(), labels: z.record(z.string(), z.string()).optional() })
      .strict()
      .refine((s) => s.pool !== undefined || s.service !== undefined || s.labels !== undefined, 'select hosts by pool, service or labels'),
    http: z
      .object({
        path: z.string().startsWith('/').default('/'),
        status: z.number().int().min(100).max(599).default(200),
        /** a regular expression the body must match */
        bodyMatch: z.string().optional(),
        /** slower than this counts as a failure */
        latencyThreshold: durationSchema.optional(),
      })
      .strict()
      .optional(),
    tcp: z.object({}).strict().optional(),
    /** a command; `{{ host }}` and `{{ address }}` are filled in, each as one argument; it runs with PATH and the variables `env` names, nothing else of prodeng's */
    exec: z.object({ argv: z.array(z.string()).min(1), env: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable')).optional() }).strict().optional(),
    interval: durationSchema.default(10_000),
    timeout: durationSchema.default(2000),
    failureThreshold: z.number().int().positive().default(3),
    successThreshold: z.number().int().positive().default(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
    alertname: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('ProbeFailed'),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .refine((p) => [p.http, p.tcp, p.exec].filter(Boolean).length === 1, 'give exactly one of http, tcp or exec')
  .refine((p) => p.timeout <= p.interval, 'timeout must not be longer than interval');

export type ProbeSpec = z.output<typeof probeSpecSchema>;
export type ProbeDoc = ConfigDoc<ProbeSpec>;

export const probeKind = defineKind({
  kind: 'Probe',
  spec: probeSpecSchema,
  references: (doc: ProbeDoc, config) => [
    ...mustExist(config, 'HostPool', doc.spec.hosts.pool, ['spec', 'hosts', 'pool']),
    ...mustExist(config, 'Service', doc.spec.hosts.service, ['spec', 'hosts', 'service']),
  ],
});
