import { z } from 'zod';
import type { AlertEvent } from './alertEvent.js';
import { labelSetFields } from './alertEvent.js';
import { labelSetFingerprint } from './fingerprint.js';
import { intakeLimits, lenientLabelSetSchema, rfc3339 } from './limits.js';
import type { ServiceDirectory } from './serviceDirectory.js';

// What Prometheus (and anything else speaking Alertmanager's API v2) posts
// to /api/v2/alerts: an array of postable alerts, each validated on its own
// (splitAlertBatch) as Alertmanager does, so one bad alert loses no other.
export const postableAlertSchema = z
  .object({
    labels: lenientLabelSetSchema.refine((l) => Object.keys(l).length > 0, 'an alert needs at least one label'),
    annotations: lenientLabelSetSchema.optional(),
    startsAt: rfc3339.optional(),
    endsAt: rfc3339.optional(),
    generatorURL: z.string().optional(),
  })
  .refine((a) => a.startsAt == null || a.endsAt == null || a.endsAt >= a.startsAt, { message: 'start time must be before end time', path: ['endsAt'] });

export const postableAlertsSchema = z.array(postableAlertSchema).max(intakeLimits.maxAlertsPerBatch, `at most ${intakeLimits.maxAlertsPerBatch} alerts per request`);

export type PostableAlerts = z.output<typeof postableAlertsSchema>;

/**
 * Same semantics as Alertmanager: identity is the label set; an endsAt in
 * the past resolves; without endsAt the alert resolves after resolveTimeout
 * unless sent again.
 */
export function eventsFromPrometheus(
  alerts: PostableAlerts,
  ctx: { now: number; resolveTimeoutMs: number; services: ServiceDirectory; source?: 'prometheus' },
): AlertEvent[] {
  return alerts.map((alert) => {
    const labels = alert.labels;
    const annotations = alert.annotations ?? {};
    const endsAt = alert.endsAt ?? null;
    const resolved = endsAt !== null && endsAt <= ctx.now;
    const fingerprint = labelSetFingerprint(labels);
    return {
      source: ctx.source ?? 'prometheus',
      action: resolved ? 'resolved' : 'firing',
      fingerprint,
      ...labelSetFields(labels, annotations, fingerprint, ctx.services),
      generatorUrl: alert.generatorURL ?? null,
      startsAt: alert.startsAt ?? null,
      endsAt: endsAt ?? ctx.now + ctx.resolveTimeoutMs,
      endsAtFromTimeout: endsAt === null,
      payload: alert,
    };
  });
}
