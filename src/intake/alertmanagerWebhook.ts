import { z } from 'zod';
import type { AlertEvent } from './alertEvent.js';
import { labelSetFields } from './alertEvent.js';
import { annotationsSchema, intakeLimits, labelSetSchema, lenientLabelSetSchema, rfc3339 } from './limits.js';
import type { ServiceDirectory } from './serviceDirectory.js';

// Alertmanager's webhook notification, version 4. Group-level fields are
// accepted and kept in history; each alert is taken on its own.
export const alertmanagerWebhookSchema = z.object({
  version: z.literal('4', { error: 'only webhook payload version "4" is understood' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSetSchema.optional(),
  commonLabels: labelSetSchema.optional(),
  commonAnnotations: annotationsSchema.optional(),
  externalURL: z.string().optional(),
  routeLabels: labelSetSchema.optional(),
  notification_reason: z.string().optional(),
  // each alert is validated on its own (webhookAlertSchema), so a bad one loses no other
  alerts: z.array(z.unknown()).max(intakeLimits.maxAlertsPerBatch, `at most ${intakeLimits.maxAlertsPerBatch} alerts per notification`),
});

export const webhookAlertSchema = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: lenientLabelSetSchema.refine((l) => Object.keys(l).length > 0, 'an alert needs at least one label'),
    annotations: lenientLabelSetSchema.optional(),
    startsAt: rfc3339.optional(),
    endsAt: rfc3339.optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().regex(/^[0-9a-f]{1,16}$/, 'a fingerprint is up to 16 hex digits'),
  })
  .refine((a) => a.status !== 'resolved' || a.startsAt == null || a.endsAt == null || a.endsAt >= a.startsAt, { message: 'start time must be before end time', path: ['endsAt'] });

export type WebhookAlert = z.output<typeof webhookAlertSchema>;

export type AlertmanagerWebhook = z.output<typeof alertmanagerWebhookSchema>;

/**
 * Alertmanager sends "resolved" itself (send_resolved), and may wait hours
 * (repeat_interval) before repeating a firing alert, so a firing alert from
 * it has no timeout: it stays open until Alertmanager resolves it.
 */
export function eventsFromAlertmanager(payload: AlertmanagerWebhook, alerts: WebhookAlert[], ctx: { services: ServiceDirectory }): AlertEvent[] {
  const { alerts: _all, ...group } = payload;
  return alerts.map((alert) => {
    const labels = alert.labels;
    const annotations = alert.annotations ?? {};
    return {
      source: 'alertmanager',
      action: alert.status,
      fingerprint: alert.fingerprint.padStart(16, '0'),
      ...labelSetFields(labels, annotations, alert.fingerprint, ctx.services),
      generatorUrl: alert.generatorURL ?? null,
      startsAt: alert.startsAt ?? null,
      endsAt: alert.status === 'resolved' ? (alert.endsAt ?? null) : null,
      endsAtFromTimeout: false,
      payload: { ...alert, group: { receiver: group.receiver, groupKey: group.groupKey, routeLabels: group.routeLabels, notification_reason: group.notification_reason, externalURL: group.externalURL } },
    };
  });
}
