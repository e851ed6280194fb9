import { z } from 'zod';
import { durationSchema } from './duration.js';
import { defineKind } from './kindRegistry.js';
import { mustExist } from './references.js';

// Every object is strict: a misspelled optional field would otherwise be
// silently ignored, which is the worst kind of config bug.

const stringMap = z.record(z.string(), z.string());

/** A required reference, with a message that says what to put there. */
const requiredName = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : undefined) }).min(1, `must not be empty: ${what}`);

export const teamSpecSchema = z
  .object({
    description: z.string().optional(),
    members: z.array(z.object({ user: requiredName('the name of a User'), role: z.string().optional() }).strict()).optional(),
    /** how the team's incidents page people (an EscalationPolicy) */
    escalationPolicy: z.string().optional(),
    /** who is paged when nobody is on call for a step */
    fallback: z.string().optional(),
  })
  .strict();
export type TeamSpec = z.output<typeof teamSpecSchema>;

export function isTimeZone(zone: string): boolean {
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
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC').optional(),
    /** how to reach the user; without any, the email address. Webhook URLs carry secrets, so they come from the environment. */
    contacts: z
      .array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('email'), address: z.email({ error: 'must be an email address' }).optional() }).strict(),
          z.object({ type: z.literal('webhook'), urlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable holding the URL') }).strict(),
          z.object({ type: z.literal('slack'), urlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable holding the incoming-webhook URL') }).strict(),
        ]),
      )
      .optional(),
  })
  .strict();
export type UserSpec = z.output<typeof userSpecSchema>;

export const serviceSpecSchema = z
  .object({
    owner: requiredName('the Team that owns the service'),
    description: z.string().optional(),
    /** an alert carrying all of these labels belongs to this service */
    labels: stringMap.optional(),
    integrationKeys: z
      .array(
        z
          .object({
            name: requiredName('a name for the key'),
            // Only the variable's name: a secret in a YAML file ends up in git.
            env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable (A-Z, 0-9, _); the key itself never goes in the file'),
          })
          .strict(),
      )
      .optional(),
    /** pages for this service's incidents go by this EscalationPolicy instead of the owner team's */
    escalationPolicy: z.string().optional(),
    /** what this service calls: required (it fails without it) or optional (it degrades), and what breaks */
    dependsOn: z
      .array(
        z
          .object({
            service: requiredName('the Service it calls'),
            required: z.boolean({ error: 'must be true (the caller fails without it) or false (it degrades)' }),
            effect: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    /**
     * Callers that say who they are (discovery's `?from=`) reach this service
     * through one of prodeng's fault proxies per edge, so an experiment can
     * break one edge (frontend to cart) and leave the others alone. For the lab
     * and test environments: it puts prodeng in the data path.
     */
    faultProxy: z.boolean().optional(),
    /** the larger whole it is part of (Backstage's System) */
    system: z.string().optional(),
    /** experimental, production, deprecated… (Backstage's lifecycle; free text) */
    lifecycle: z.string().optional(),
    /** where it is on its way: bootstrap, scale, excellence; decides the pyramid level expected of it */
    phase: z.enum(['bootstrap', 'scale', 'excellence'], { error: 'must be bootstrap, scale or excellence' }).optional(),
    /** its source: a git URL or a local path, for the upkeep checks */
    repository: z.string().min(1).optional(),
    /** its HTTPS endpoints (https://host[:port]), for the TLS check */
    httpsEndpoints: z.array(z.string().regex(/^https:\/\/[^/\s]+\/?$/, 'must be https://host or https://host:port')).optional(),
    links: z.array(z.object({ url: z.string().url('must be a URL'), title: z.string().optional(), type: z.string().optional() }).strict()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type ServiceSpec = z.output<typeof serviceSpecSchema>;

export const hostSpecSchema = z
  .object({
    address: requiredName('where to reach the host, e.g. 10.0.0.5 or web-1.internal:22'),
    service: z.string().optional(),
    cluster: z.string().optional(),
    labels: stringMap.optional(),
  })
  .strict();
export type HostSpec = z.output<typeof hostSpecSchema>;

export const heartbeatSpecSchema = z
  .object({
    // A zero interval would fire on every tick of the checker.
    interval: durationSchema.refine((ms) => ms > 0, 'must be longer than 0s'),
    grace: durationSchema.default(0),
    service: z.string().optional(),
    severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
    summary: z.string().optional(),
    labels: stringMap.optional(),
  })
  .strict();
export type HeartbeatSpec = z.output<typeof heartbeatSpecSchema>;

export const userKind = defineKind({ kind: 'User', spec: userSpecSchema });

export const teamKind = defineKind({
  kind: 'Team',
  spec: teamSpecSchema,
  references: (doc, config) => [
    ...(doc.spec.members ?? []).flatMap((m, i) => mustExist(config, 'User', m.user, ['spec', 'members', i, 'user'])),
    ...mustExist(config, 'EscalationPolicy', doc.spec.escalationPolicy, ['spec', 'escalationPolicy']),
    ...mustExist(config, 'User', doc.spec.fallback, ['spec', 'fallback']),
  ],
});

export const serviceKind = defineKind({
  kind: 'Service',
  spec: serviceSpecSchema,
  references: (doc, config) => [
    ...mustExist(config, 'Team', doc.spec.owner, ['spec', 'owner']),
    ...mustExist(config, 'EscalationPolicy', doc.spec.escalationPolicy, ['spec', 'escalationPolicy']),
    ...(doc.spec.dependsOn ?? []).flatMap((d, i) => mustExist(config, 'Service', d.service, ['spec', 'dependsOn', i, 'service'])),
    // Only whether it is set: the value is a secret and never goes into a message.
    ...(doc.spec.integrationKeys ?? []).flatMap((key, i) =>
      process.env[key.env]
        ? []
        : [
            {
              path: ['spec', 'integrationKeys', i, 'env'],
              message: `environment variable ${key.env} is not set; this integration key is disabled`,
              severity: 'warning' as const,
            },
          ],
    ),
  ],
});

export const hostKind = defineKind({
  kind: 'Host',
  spec: hostSpecSchema,
  references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});

export const heartbeatKind = defineKind({
  kind: 'Heartbeat',
  spec: heartbeatSpecSchema,
  references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});

export const apiTokenRoles = ['read-only', 'intake', 'responder', 'admin'] as const;
export type ApiTokenRole = (typeof apiTokenRoles)[number];

export const apiTokenSpecSchema = z
  .object({
    /** the User this token acts as; without one it is a service token acting under its own name */
    user: z.string().min(1).optional(),
    role: z.enum(apiTokenRoles, { error: `must be one of ${apiTokenRoles.join(', ')}` }),
    // Only the variable's name: a token in a YAML file ends up in git.
    tokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable (A-Z, 0-9, _) holding the token; the token itself never goes in the file'),
  })
  .strict();
export type ApiTokenSpec = z.output<typeof apiTokenSpecSchema>;

export const apiTokenKind = defineKind({
  kind: 'ApiToken',
  spec: apiTokenSpecSchema,
  references: (doc, config) => [
    ...mustExist(config, 'User', doc.spec.user, ['spec', 'user']),
    ...(process.env[doc.spec.tokenEnv]
      ? []
      : [{ path: ['spec', 'tokenEnv'], message: `environment variable ${doc.spec.tokenEnv} is not set; prodeng serve refuses to start until it is`, severity: 'warning' as const }]),
  ],
});
