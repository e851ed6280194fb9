import { DateTime } from 'luxon';
import { z } from 'zod';
import { CHANGE_KINDS, type ChangeKind, type NewChange } from './changeStore.js';

// PagerDuty's change events (Events API v2, POST /v2/change/enqueue): field
// names, what is required and the limits follow PagerDuty's documentation.
// Unknown fields are ignored, as PagerDuty does (clients send extra ones).

export const PAGERDUTY_CHANGE_MAX_BODY_BYTES = 512 * 1024;

const timestamp = z.string().refine((s) => {
  const t = DateTime.fromISO(s, { setZone: true });
  return t.isValid && t.year >= 1970 && t.year <= 9999;
}, 'must be an ISO 8601 time');

export const pagerdutyChangeSchema = z.object({
  routing_key: z.string({ error: 'is missing' }).min(1, 'is missing or blank').max(128),
  payload: z.object(
    {
      summary: z.string({ error: 'is missing' }).trim().min(1, 'is missing or blank').max(1024, 'is longer than 1024 characters'),
      source: z.string().max(255, 'is longer than 255 characters').optional(),
      timestamp: timestamp.optional(),
      custom_details: z.unknown().optional(),
    },
    { error: 'is missing' },
  ),
  links: z.array(z.object({ href: z.string({ error: 'is missing' }).min(1, 'is missing or blank'), text: z.string().optional() }), { error: 'must be an array of {href, text}' }).max(50).optional(),
});

export type PagerdutyChange = z.output<typeof pagerdutyChangeSchema>;

/** A string or number field of custom_details, if the sender put one there. */
function detail(details: unknown, ...names: string[]): string | null {
  if (!details || typeof details !== 'object') return null;
  for (const name of names) {
    const v = (details as Record<string, unknown>)[name];
    if ((typeof v === 'string' && v.trim()) || typeof v === 'number') return String(v).trim().slice(0, 128);
  }
  return null;
}

const isHttp = (href: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(href).protocol);
  } catch {
    return false;
  }
};

/**
 * The change the event records. PagerDuty's body has no version, commit or
 * kind; build tools put them in custom_details under a few usual names, and
 * they are read from there when present. The whole event, without its
 * routing key (a secret), is kept in details.
 */
export function changeFromPagerduty(event: PagerdutyChange, ctx: { service: string; now: number }): NewChange {
  const p = event.payload;
  const commit = detail(p.custom_details, 'commit', 'commit_sha', 'sha', 'revision');
  const kind = detail(p.custom_details, 'kind', 'change_kind');
  const link = event.links?.find((l) => isHttp(l.href))?.href ?? null;
  return {
    service: ctx.service,
    version: detail(p.custom_details, 'version', 'release'),
    kind: CHANGE_KINDS.includes(kind as ChangeKind) ? (kind as ChangeKind) : 'other',
    // PagerDuty allows any text; the record keeps one line of it, for the timeline.
    summary: p.summary.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
    // The integration key is the credential; the source is a label the sender typed.
    who: p.source?.trim() ? `${p.source.trim()} (PagerDuty change event)` : 'PagerDuty change event',
    commit: commit && /^[0-9a-fA-F]{7,64}$/.test(commit) ? commit.toLowerCase() : null,
    link: link && link.length <= 2048 ? link : null,
    source: 'pagerduty',
    at: p.timestamp ? DateTime.fromISO(p.timestamp, { setZone: true }).toMillis() : ctx.now,
    details: { ...(p.source !== undefined ? { source: p.source } : {}), ...(p.custom_details !== undefined ? { custom_details: p.custom_details } : {}), ...(event.links?.length ? { links: event.links } : {}) },
    receivedAt: ctx.now,
  };
}
