import { z } from 'zod';
import type { AlertEvent } from './alertEvent.js';
import { hostFromLabels, severities } from './alertEvent.js';
import { labelSetFingerprint } from './fingerprint.js';
import { annotationsSchema, labelSetSchema } from './limits.js';
import type { ServiceDirectory } from './serviceDirectory.js';

// For scripts and tools with no alerting format of their own.
export const genericEventSchema = z
  .object({
    summary: z.string().trim().min(1, 'must not be blank').max(1024).optional(),
    dedupKey: z.string().min(1).max(255).optional(),
    status: z.enum(['firing', 'acknowledged', 'resolved']).default('firing'),
    severity: z.enum(severities as [string, ...string[]]).default('warning'),
    labels: labelSetSchema.optional(),
    annotations: annotationsSchema.optional(),
    service: z.string().min(1).max(255).optional(),
    host: z.string().min(1).max(255).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.status === 'firing' && !e.summary) ctx.addIssue({ code: 'custom', path: ['summary'], message: 'is required for a firing alert' });
    const hasLabels = e.labels && Object.keys(e.labels).length > 0;
    if (!e.dedupKey && !hasLabels && e.status !== 'firing') {
      ctx.addIssue({ code: 'custom', path: ['dedupKey'], message: `is required to ${e.status === 'resolved' ? 'resolve' : 'acknowledge'} an alert that has no labels` });
    }
  });

export type GenericEvent = z.output<typeof genericEventSchema>;

/** Identity: the dedupKey within its service, else the label set, else the summary. */
export function eventFromGeneric(e: GenericEvent, ctx: { services: ServiceDirectory }): AlertEvent {
  const labels = e.labels ?? {};
  const service = e.service ?? ctx.services.serviceForLabels(labels);
  const fingerprint = e.dedupKey
    ? labelSetFingerprint({ __service__: service ?? '', __dedup_key__: e.dedupKey })
    : Object.keys(labels).length > 0
      ? labelSetFingerprint(labels)
      : labelSetFingerprint({ __summary__: e.summary ?? '' });
  return {
    source: 'generic',
    action: e.status,
    fingerprint,
    labels,
    annotations: e.annotations ?? {},
    summary: e.summary ?? '',
    severity: e.severity as AlertEvent['severity'],
    service,
    host: e.host ?? hostFromLabels(labels),
    dedupKey: e.dedupKey ?? null,
    generatorUrl: null,
    startsAt: null,
    endsAt: null,
    endsAtFromTimeout: false,
    payload: e,
  };
}
