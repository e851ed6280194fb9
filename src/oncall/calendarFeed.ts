import { createHmac, timingSafeEqual } from 'node:crypto';
import ical from 'ical-generator';
import type { DateTime } from 'luxon';
import type { StoredOverride } from './overrideStore.js';
import { localTime, plannedShifts, shiftsBetween, wholePlannedShifts, type PlannedShift, type ShiftSegment } from './rotation.js';
import type { ScheduleOverride, ScheduleSpec } from './scheduleKind.js';

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

/**
 * One VEVENT of a feed.
 *
 * Identity. A calendar app that subscribes to a feed keeps what it showed
 * and matches each fetched event to it by UID, so an event's UID must not
 * depend on when the feed is fetched, on the feed's window, or on overrides.
 * A shift is therefore named by what the rotation planned, which nothing at
 * run time changes: schedule, layer, and the start of the rotation slot (plus
 * the stretch's own start when a later layer or a restriction cut the slot into
 * several stretches). Shifts are given whole, never cut at the window's edges,
 * so their start (and the name) is the same from any fetch.
 *
 * An override cuts into a planned shift or replaces its person; what the
 * people then see is the shift's pieces. The first piece this feed shows
 * keeps the shift's UID (so an override of a whole shift, or of its end,
 * changes that event in place, and so does cancelling it); any further piece
 * is named by the shift's UID and the piece's start, which comes from the
 * overrides' fixed times. Someone on call only through an override, where the
 * rotation has nobody, is named by the schedule and the piece's start.
 *
 * Revision. SEQUENCE must go up whenever an event changes, never down, or a
 * calendar app keeps the old version. It is counted from the overrides whose
 * span overlaps the planned shift: each one in config counts 1, each stored one
 * counts 1 for being added and 1 more once cancelled (a cancelled row is kept,
 * so the count never falls). That needs no stored revision and is the same on
 * every replica. It may count an override that changed nothing in the shift
 * (one replacing someone not on call then); a higher SEQUENCE for an unchanged
 * event is harmless, a change without one is not.
 */
export interface FeedEvent {
  schedule: string;
  segment: ShiftSegment;
  uid: string;
  sequence: number;
}

/** A schedule as a feed needs it. */
export interface FeedSchedule {
  name: string;
  /** the spec in effect: config plus stored overrides */
  spec: ScheduleSpec;
  /** the overrides written in config (an entry of spec.overrides that is not stored) */
  configOverrides: readonly ScheduleOverride[];
  /** the schedule's stored overrides, cancelled ones too */
  stored: readonly StoredOverride[];
}

const compact = (t: DateTime) => t.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
const ms = (t: DateTime) => t.toMillis();

/** The events of one schedule's shifts overlapping [from, to); with focusUser, only where that user is on call or shadowing. */
export function feedEvents(schedule: FeedSchedule, from: DateTime, to: DateTime, focusUser?: string): FeedEvent[] {
  const { spec } = schedule;
  const zone = spec.timeZone;
  const spanOf = (o: { from: string; to: string }) => ({ from: localTime(o.from, zone), to: localTime(o.to, zone) });

  // The range to compute over: the shifts overlapping the window, whole, and any override overlapping it, whole.
  const whole = wholePlannedShifts(spec, from, to);
  let rangeFrom = whole[0] && whole[0].start < from ? whole[0].start : from;
  let rangeTo = whole.length > 0 && whole[whole.length - 1]!.end > to ? whole[whole.length - 1]!.end : to;
  for (const o of spec.overrides) {
    const span = spanOf(o);
    if (!(span.from < to && span.to > from)) continue;
    if (span.from < rangeFrom) rangeFrom = span.from;
    if (span.to > rangeTo) rangeTo = span.to;
  }
  const planned = plannedShifts(spec, rangeFrom, rangeTo);
  const pieces = cutAt(shiftsBetween(spec, rangeFrom, rangeTo), planned);

  const revisions = (start: DateTime, end: DateTime) => {
    let n = 0;
    for (const o of schedule.configOverrides) {
      const span = spanOf(o);
      if (span.from < end && span.to > start) n += 1;
    }
    for (const o of schedule.stored) if (o.startsAt < ms(end) && o.endsAt > ms(start)) n += o.cancelledAt === null ? 1 : 2;
    return n;
  };
  const shown = (s: ShiftSegment) => (focusUser ? s.users.includes(focusUser) || s.shadows.some((sh) => sh.user === focusUser) : s.users.length > 0);
  const feed = focusUser ?? 'all';
  const events: FeedEvent[] = [];
  const named = new Set<PlannedShift>();
  for (const { segment, owner } of pieces) {
    if (!shown(segment)) continue;
    if (owner) {
      if (!(owner.end > from && owner.start < to)) continue;
      const base = `${schedule.name}/${owner.layer}/${compact(owner.slotStart)}${ms(owner.start) === ms(owner.slotStart) ? '' : `+${compact(owner.start)}`}`;
      const uid = named.has(owner) ? `${base}/${compact(segment.start)}` : base;
      named.add(owner);
      events.push({ schedule: schedule.name, segment, uid: `${uid}/${feed}@prodeng`, sequence: revisions(owner.start, owner.end) });
    } else {
      if (!(segment.end > from && segment.start < to)) continue;
      events.push({ schedule: schedule.name, segment, uid: `${schedule.name}/override/${compact(segment.start)}/${feed}@prodeng`, sequence: revisions(segment.start, segment.end) });
    }
  }
  return events;
}

/**
 * The schedule's stretches cut where planned shifts begin and end, each with
 * the planned shift it lies in (none where only an override has someone).
 * Both lists are in time order and neither overlaps itself.
 */
function cutAt(segments: ShiftSegment[], planned: PlannedShift[]): Array<{ segment: ShiftSegment; owner: PlannedShift | null }> {
  const out: Array<{ segment: ShiftSegment; owner: PlannedShift | null }> = [];
  let j = 0;
  for (const s of segments) {
    let start = s.start;
    while (start < s.end) {
      while (j < planned.length && planned[j]!.end <= start) j++;
      const p = planned[j];
      let end = s.end;
      let owner: PlannedShift | null = null;
      if (p && p.start <= start) {
        owner = p;
        if (p.end < end) end = p.end;
      } else if (p && p.start < end) end = p.start;
      out.push({ segment: { ...s, start, end }, owner });
      start = end;
    }
  }
  return out;
}

const overrideLine = (o: ScheduleOverride) => (o.remove ? `Override: ${o.remove} off call` : o.replaces ? `Override: ${o.user} covers for ${o.replaces}` : `Override: ${o.user} on call as well`);

/** One VEVENT per shift on call (or shadowing), as a calendar app subscribes to it. */
export function calendarFeed(name: string, events: FeedEvent[], generatedAt: DateTime, focusUser?: string): string {
  const calendar = ical({ name, prodId: { company: 'prodeng', product: 'oncall' }, ttl: 3600 });
  const ordered = [...events].sort((a, b) => ms(a.segment.start) - ms(b.segment.start) || a.uid.localeCompare(b.uid));
  for (const { schedule, segment, uid, sequence } of ordered) {
    const people = segment.users.join(', ') || 'nobody';
    const shadowing = focusUser ? segment.shadows.find((s) => s.user === focusUser) : undefined;
    const summary = focusUser ? (shadowing ? `Shadowing ${shadowing.shadowing} (${schedule})` : `On call: ${schedule}`) : `On call: ${people}`;
    calendar.createEvent({
      id: uid,
      sequence,
      start: segment.start.toJSDate(),
      end: segment.end.toJSDate(),
      stamp: generatedAt.toJSDate(),
      summary,
      description: [`Schedule: ${schedule}`, `On call: ${people}`, ...segment.overrides.map(overrideLine), ...segment.shadows.map((s) => `Shadow: ${s.user} (following ${s.shadowing})`)].join('\n'),
    });
  }
  return calendar.toString();
}
