import { z } from 'zod';
import { durationSchema } from './duration.js';
import { defineKind } from './kindRegistry.js';
import { mustExist } from './references.js';

const stringMap = z.record(z.string(), z.string());

export const teamSpecSchema = z
  .object({
    description: z.string().optional(),
    members: z.array(z.object({ user: z.string(), role: z.string().optional() }).strict()).optional(),
  })
  .strict();
export type TeamSpec = z.output<typeof teamSpecSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const userSpecSchema = z
  .object({
    displayName: z.string().optional(),
    email: z.email({ error: 'must be an email address' }).optional(),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
  })
  .strict();
export type UserSpec = z.output<typeof userSpecSchema>;

export const serviceSpecSchema = z
  .object({
    owner: z.string({ error: 'is required: the Team that owns the service' }),
    description: z.string().optional(),
    labels: stringMap.optional(),
    integrationKeys: z
      .array(
        z
          .object({
            name: z.string(),
            env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable (A-Z, 0-9, _); the key itself never goes in the file'),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type ServiceSpec = z.output<typeof serviceSpecSchema>;

export const hostSpecSchema = z
  .object({
    address: z.string().min(1),
    service: z.string().optional(),
    cluster: z.string().optional(),
    labels: stringMap.optional(),
  })
  .strict();
export type HostSpec = z.output<typeof hostSpecSchema>;

export const heartbeatSpecSchema = z
  .object({
    interval: durationSchema,
    grace: durationSchema.default(0),
    service: z.string().optional(),
    severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
    summary: z.string().optional(),
    labels: stringMap.optional(),
  })
  .strict();
export type HeartbeatSpec = z.output<typeof heartbeatSpecSchema>;

defineKind({ kind: 'User', spec: userSpecSchema });

defineKind({
  kind: 'Team',
  spec: teamSpecSchema,
  references: (doc, config) => (doc.spec.members ?? []).flatMap((m, i) => mustExist(config, 'User', m.user, ['spec', 'members', i, 'user'])),
});

defineKind({
  kind: 'Service',
  spec: serviceSpecSchema,
  references: (doc, config) => [
    ...mustExist(config, 'Team', doc.spec.owner, ['spec', 'owner']),
    ...(doc.spec.integrationKeys ?? [])
      .map((key, i) => ({ key, i }))
      .filter(({ key }) => !process.env[key.env])
      .map(({ key, i }) => ({
        path: ['spec', 'integrationKeys', i, 'env'],
        message: `environment variable ${key.env} is not set; this integration key is disabled`,
        severity: 'warning' as const,
      })),
  ],
});

defineKind({
  kind: 'Host',
  spec: hostSpecSchema,
  references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});

defineKind({
  kind: 'Heartbeat',
  spec: heartbeatSpecSchema,
  references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});
