import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AlertEvent } from './alertEvent.js';
import { labelSetFingerprint } from './fingerprint.js';

export const PAGERDUTY_MAX_BODY_BYTES = 512 * 1024;

// PagerDuty Events API v2. Field names and limits follow PagerDuty's.
const payloadSchema = z.object({
  summary: z.string().trim().min(1, 'is missing or blank').max(1024, 'is longer than 1024 characters'),
  source: z.string().trim().min(1, 'is missing or blank').max(255),
  severity: z.enum(['critical', 'error', 'warning', 'info'], { error: 'must be one of critical, error, warning, info' }),
  timestamp: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time')
    .optional(),
  component: z.string().max(255).optional(),
  group: z.string().max(255).optional(),
  class: z.string().max(255).optional(),
  custom_details: z.unknown().optional(),
});

export const pagerdutyEventSchema = z
  .object({
    routing_key: z.string({ error: 'is missing' }).min(1, 'is missing or blank').max(128),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve'], { error: 'must be one of trigger, acknowledge, resolve' }),
    dedup_key: z.string().min(1, 'is blank').max(255, 'is longer than 255 characters').optional(),
    payload: payloadSchema.optional(),
    client: z.string().max(1024).optional(),
    client_url: z.string().max(4096).optional(),
    links: z.array(z.object({ href: z.string().min(1), text: z.string().optional() })).max(50).optional(),
    images: z.array(z.object({ src: z.string().min(1), href: z.string().optional(), alt: z.string().optional() })).max(50).optional(),
  })
  .superRefine((event, ctx) => {
    if (event.event_action === 'trigger' && !event.payload) {
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required when event_action is trigger' });
    }
    if (event.event_action !== 'trigger' && !event.dedup_key) {
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required when event_action is ${event.event_action}` });
    }
  });

export type PagerdutyEvent = z.output<typeof pagerdutyEventSchema>;

export function newDedupKey(): string {
  return randomUUID().replaceAll('-', '');
}

/** Dedup keys are scoped to the service the routing key belongs to. */
export function pagerdutyFingerprint(service: string, dedupKey: string): string {
  return labelSetFingerprint({ __pagerduty_service__: service, __dedup_key__: dedupKey });
}

export function eventFromPagerduty(event: PagerdutyEvent, ctx: { service: string; dedupKey: string }): AlertEvent {
  const p = event.payload;
  const action = event.event_action === 'trigger' ? 'firing' : event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
  const labels: Record<string, string> = { service: ctx.service, dedup_key: ctx.dedupKey };
  const annotations: Record<string, string> = {};
  if (p) {
    labels.source = p.source;
    labels.severity = p.severity;
    if (p.component) labels.component = p.component;
    if (p.group) labels.group = p.group;
    if (p.class) labels.class = p.class;
    annotations.summary = p.summary;
    if (p.custom_details !== undefined) annotations.custom_details = JSON.stringify(p.custom_details);
  }
  if (event.links?.length) annotations.links = JSON.stringify(event.links);
  if (event.images?.length) annotations.images = JSON.stringify(event.images);
  const { routing_key: _secret, ...kept } = event;
  return {
    source: 'pagerduty',
    action,
    fingerprint: pagerdutyFingerprint(ctx.service, ctx.dedupKey),
    labels,
    annotations,
    summary: p?.summary ?? '',
    severity: p?.severity ?? 'warning',
    service: ctx.service,
    host: p?.source ?? null,
    dedupKey: ctx.dedupKey,
    generatorUrl: event.client_url ?? null,
    startsAt: p?.timestamp ? Date.parse(p.timestamp) : null,
    endsAt: null,
    endsAtFromTimeout: false,
    // The routing key is a secret: it is never stored with the history.
    payload: { ...kept, dedup_key: ctx.dedupKey },
  };
}
