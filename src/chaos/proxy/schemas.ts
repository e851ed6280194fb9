import { z } from 'zod';
import { hostPortString } from './address.js';
import { badRequestBody, missingField } from './errors.js';

const proxyName = z
  .string({ error: 'must be a string' })
  .max(200, { error: 'must be at most 200 characters' })
  .refine((n) => !n.includes('/'), { error: 'must not contain "/"' });

/** POST /proxies and each entry of POST /populate. `listen` defaults to a free loopback port. */
export const proxyInputSchema = z.object({
  name: proxyName,
  listen: hostPortString('listen').optional(),
  upstream: hostPortString('upstream', { upstream: true }),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
});
export type ProxyInput = z.input<typeof proxyInputSchema>;

/** POST /proxies/{proxy}: fields left out keep their value. */
export const proxyUpdateSchema = z.object({
  listen: hostPortString('listen').optional(),
  upstream: hostPortString('upstream', { upstream: true }).optional(),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
});
export type ProxyUpdate = z.input<typeof proxyUpdateSchema>;

const toxicity = z.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be from 0 to 1' }).max(1, { error: 'must be from 0 to 1' });
const ttl = z
  .number({ error: 'must be a number (milliseconds)' })
  .int({ error: 'must be a whole number (milliseconds)' })
  .min(1, { error: 'must be 1 or more (milliseconds)' })
  .max(2_147_483_647, { error: 'must be at most 2147483647 (milliseconds)' });
const attributes = z.record(z.string(), z.unknown(), { error: 'must be an object' });

/** The fields every toxic has; `attributes` are checked afterwards by the schema of the toxic's type. */
export const toxicInputSchema = z.object({
  name: z
    .string({ error: 'must be a string' })
    .max(200, { error: 'must be at most 200 characters' })
    .refine((n) => !n.includes('/'), { error: 'must not contain "/"' })
    .optional(),
  type: z.string({ error: 'must be a string' }).optional(),
  stream: z.string({ error: 'must be a string' }).optional(),
  toxicity: toxicity.optional(),
  attributes: attributes.optional(),
  /** Milliseconds after which the toxic removes itself (not in Toxiproxy). */
  ttl: ttl.optional(),
});
export type ToxicInput = z.input<typeof toxicInputSchema>;

/** POST /proxies/{proxy}/toxics/{toxic}: attributes are merged over the current ones. */
export const toxicUpdateSchema = z.object({
  toxicity: toxicity.optional(),
  attributes: attributes.optional(),
  ttl: ttl.optional(),
});
export type ToxicUpdate = z.input<typeof toxicUpdateSchema>;

/** `field: message` for every problem, fields named by their path, e.g. `attributes.latency: must be 0 or more (milliseconds)`. */
export function describeIssues(error: z.ZodError, prefix = '', input?: unknown): string {
  const valueAt = (path: PropertyKey[]) => path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), input);
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const message = issue.code === 'invalid_type' && input !== undefined && valueAt(issue.path) === undefined ? 'is required' : issue.message;
      // Messages that already start with their field (address checks) are kept as they are.
      return path && !message.startsWith(`${path.split('.').pop()}:`) ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Parses with `schema` or throws Toxiproxy's 400 ("missing required field: x" for an absent name/upstream). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, opts: { required?: string[]; prefix?: string; suffix?: string } = {}): z.output<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequestBody(`${opts.prefix ? `${opts.prefix}: ` : ''}must be a JSON object`);
  for (const field of opts.required ?? []) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined || v === '') throw missingField(`${field}${opts.suffix ?? ''}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequestBody(describeIssues(result.error, opts.prefix, value) + (opts.suffix ?? ''));
  return result.data;
}
