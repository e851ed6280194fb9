import { createHmac, timingSafeEqual } from 'node:crypto';
import ical from 'ical-generator';
import type { DateTime } from 'luxon';
import type { ShiftSegment } from './rotation.js';
import type { ScheduleOverride } from './scheduleKind.js';

/**
 * Calendar apps cannot send a bearer token, so a feed URL carries a
 * signature of its path instead, made with a secret the store keeps. Without
 * tokens (loopback only) feeds need none.
 */
export function feedSignature(secret: string, path: string): string {
  return createHmac('sha256', secret).update(path).digest('base64url').slice(0, 32);
}

/** Compared in constant time, so a signature cannot be guessed byte by byte from response times. */
export function feedSignatureValid(secret: string, path: string, sig: string): boolean {
  const expected = Buffer.from(feedSignature(secret, path));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface FeedShift {
  schedule: string;
  segment: ShiftSegment;
}

const overrideLine = (o: ScheduleOverride) => (o.remove ? `Override: ${o.remove} off call` : o.replaces ? `Override: ${o.user} covers for ${o.replaces}` : `Override: ${o.user} on call as well`);

/** One VEVENT per stretch on call (or shadowing), as a calendar app subscribes to it. */
export function calendarFeed(name: string, shifts: FeedShift[], generatedAt: DateTime, focusUser?: string): string {
  const calendar = ical({ name, prodId: { company: 'prodeng', product: 'oncall' }, ttl: 3600 });
  for (const { schedule, segment } of shifts) {
    const people = segment.users.join(', ') || 'nobody';
    const shadowing = focusUser ? segment.shadows.find((s) => s.user === focusUser) : undefined;
    const summary = focusUser ? (shadowing ? `Shadowing ${shadowing.shadowing} (${schedule})` : `On call: ${schedule}`) : `On call: ${people}`;
    calendar.createEvent({
      id: `${schedule}-${segment.start.toMillis()}-${focusUser ?? 'all'}@prodeng`,
      start: segment.start.toJSDate(),
      end: segment.end.toJSDate(),
      stamp: generatedAt.toJSDate(),
      summary,
      description: [`Schedule: ${schedule}`, `On call: ${people}`, ...segment.overrides.map(overrideLine), ...segment.shadows.map((s) => `Shadow: ${s.user} (following ${s.shadowing})`)].join('\n'),
    });
  }
  return calendar.toString();
}
