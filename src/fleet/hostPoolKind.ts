import { z } from 'zod';
import { defineKind, durationSchema, mustExist, type ConfigDoc } from '../config/index.js';
import { sshParams } from '../actions/ssh.js';

const argv = z.array(z.string()).min(1, 'give the program and its arguments as a list');

/** A host is a process on this machine: `{{ port }}`, `{{ dataDir }}` and `{{ host }}` are filled in per host. */
const localProcessProvider = z
  .object({
    type: z.literal('local-process'),
    argv,
    env: z.record(z.string(), z.string()).default({}),
    /** variables of prodeng's own environment a host process gets by name (e.g. PRODENG_API_TOKEN for discovery) */
    passEnv: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as PRODENG_API_TOKEN')).default([]),
  })
  .strict();

/** Machines that already exist, reached over SSH; the pool takes a free one and runs `start` on it. */
const sshProvider = z
  .object({
    type: z.literal('ssh'),
    machines: z
      .array(z.object({ ssh: z.string().regex(/^[^\s:]+(:\d+)?$/, 'host or host:port of the SSH server'), address: z.string().regex(/^.+:\d+$/, 'host:port where the service answers') }).strict())
      .min(1, 'list the machines the pool may use'),
    user: z.string().min(1),
    keyFile: z.string().optional(),
    keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    knownHostsFile: sshParams.shape.knownHostsFile,
    start: argv,
    stop: argv,
    reboot: argv,
    repair: argv.optional(),
    timeout: durationSchema.default(60_000),
  })
  .strict()
  .refine((p) => (p.keyFile === undefined) !== (p.keyEnv === undefined), 'give keyFile or keyEnv (key authentication only)');

/** Any cloud or tool: an executable that reads one JSON request on stdin and answers JSON on stdout. */
const scriptProvider = z
  .object({
    type: z.literal('script'),
    path: z.string().min(1, 'the executable, absolute or relative to the config directory'),
    timeout: durationSchema.default(120_000),
    env: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/)).default([]),
  })
  .strict();

export const providerSpecSchema = z.discriminatedUnion('type', [localProcessProvider, sshProvider, scriptProvider], {
  error: (issue) => (issue.code === 'invalid_union' ? 'type must be local-process, ssh or script' : undefined),
});
export type ProviderSpec = z.output<typeof providerSpecSchema>;

export const hostPoolSpecSchema = z
  .object({
    service: z.string().min(1, 'the Service the hosts run'),
    cluster: z.string().optional(),
    /** how many healthy in-service hosts the pool keeps */
    capacity: z.number().int().min(0),
    /** extra hosts allowed while a replacement starts, so capacity never dips */
    maxSurge: z.number().int().min(0).default(1),
    labels: z.record(z.string(), z.string()).default({}),
    provider: providerSpecSchema,
    /** what must answer before a new or repaired host goes into service */
    readiness: z
      .object({ http: z.object({ path: z.string().startsWith('/'), status: z.number().int().default(200) }).strict().optional(), within: durationSchema.default(30_000) })
      .strict()
      .default({ within: 30_000 }),
    /** how long a draining host keeps serving in-flight work before it is out of service */
    drainGrace: durationSchema.default(2000),
    /** at most this many hosts provisioned per minute (a runaway loop stops here) */
    provisionsPerMinute: z.number().int().positive().default(10),
  })
  .strict();
export type HostPoolSpec = z.output<typeof hostPoolSpecSchema>;
export type HostPoolDoc = ConfigDoc<HostPoolSpec>;

export const hostPoolKind = defineKind({
  kind: 'HostPool',
  spec: hostPoolSpecSchema,
  references: (doc: HostPoolDoc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});
