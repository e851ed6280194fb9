import { DateTime, type DurationLikeObject } from 'luxon';
import type { ScheduleLayer, ScheduleOverride, ScheduleSpec } from './scheduleKind.js';
import { cachedZone } from './cachedZone.js';

type Unit = 'weeks' | 'days' | 'hours' | 'minutes';

interface Step {
  amount: number;
  unit: Unit;
  /** weeks and days are counted on the local calendar, so hand-offs keep their wall-clock time across DST */
  calendar: boolean;
}

const UNITS: Record<string, Unit> = { w: 'weeks', d: 'days', h: 'hours', m: 'minutes' };

export function rotationStep(every: string): Step {
  if (every === 'hourly') return { amount: 1, unit: 'hours', calendar: false };
  if (every === 'daily') return { amount: 1, unit: 'days', calendar: true };
  if (every === 'weekly') return { amount: 1, unit: 'weeks', calendar: true };
  const m = /^(\d+)([wdhm])$/.exec(every)!;
  const unit = UNITS[m[2]!]!;
  return { amount: Number(m[1]), unit, calendar: unit === 'weeks' || unit === 'days' };
}

const WEEKDAY_NUMBER: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Parsing an ISO time in a zone costs more than the rest of a lookup; the
// same few strings (layer starts, override spans) are looked up again and again.
const parsed = new Map<string, DateTime>();

export function localTime(iso: string, zone: string): DateTime {
  const key = `${zone} ${iso}`;
  let t = parsed.get(key);
  if (!t) {
    t = DateTime.fromISO(iso, { zone: cachedZone(zone) });
    if (parsed.size > 100_000) parsed.clear();
    parsed.set(key, t);
  }
  return t;
}

/**
 * The first hand-off at or after the layer's start: the moment the second
 * participant takes over is `anchor`, then every step after it. Without a
 * hand-off time, shifts simply start at `start`.
 */
function anchorOf(layer: ScheduleLayer, zone: string, step: Step): DateTime {
  const start = localTime(layer.start, zone);
  const handoff = layer.rotation.handoff;
  if (!handoff) return start;
  const [dayOrTime, maybeTime] = handoff.split(' ');
  const time = maybeTime ?? dayOrTime!;
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  let candidate = start.set({ hour, minute, second: 0, millisecond: 0 });
  if (maybeTime) candidate = candidate.set({ weekday: WEEKDAY_NUMBER[dayOrTime!] as 1 | 2 | 3 | 4 | 5 | 6 | 7 });
  const unitStep: DurationLikeObject = maybeTime ? { weeks: 1 } : step.unit === 'hours' || step.unit === 'minutes' ? { hours: 0 } : { days: 1 };
  while (candidate < start) candidate = candidate.plus(unitStep);
  return candidate;
}

function plusSteps(anchor: DateTime, step: Step, k: number): DateTime {
  return step.calendar ? anchor.plus({ [step.unit]: k * step.amount }) : anchor.plus({ milliseconds: k * step.amount * { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000 }[step.unit] });
}

export interface Shift {
  /** position in the rotation, from 0 at the layer's start */
  index: number;
  user: string;
  start: DateTime;
  end: DateTime;
}

/** Which shift of a layer's rotation covers `at` (before the layer starts: none). Restrictions are not applied here. */
const layerCache = new WeakMap<ScheduleLayer, { zone: string; step: Step; anchor: DateTime }>();

function layerGeometry(layer: ScheduleLayer, zone: string) {
  let g = layerCache.get(layer);
  if (!g || g.zone !== zone) {
    const step = rotationStep(layer.rotation.every);
    g = { zone, step, anchor: anchorOf(layer, zone, step) };
    layerCache.set(layer, g);
  }
  return g;
}

export function shiftAt(layer: ScheduleLayer, zone: string, at: DateTime): Shift | null {
  const start = localTime(layer.start, zone);
  if (at < start) return null;
  const { step, anchor } = layerGeometry(layer, zone);
  const leading = anchor > start ? 1 : 0;
  if (at < anchor) return { index: 0, user: layer.participants[0]!, start, end: anchor };
  const local = at.setZone(cachedZone(zone));
  // An estimate from the calendar difference, then made exact against the real boundaries.
  let k = Math.floor(local.diff(anchor, step.unit).as(step.unit) / step.amount);
  while (k > 0 && plusSteps(anchor, step, k) > local) k--;
  while (plusSteps(anchor, step, k + 1) <= local) k++;
  const index = k + leading;
  return { index, user: layer.participants[index % layer.participants.length]!, start: plusSteps(anchor, step, k), end: plusSteps(anchor, step, k + 1) };
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether a layer applies at `at`: inside one of its restriction windows, or always when it has none. */
export function layerApplies(layer: ScheduleLayer, zone: string, at: DateTime): boolean {
  if (!layer.restrictions?.length) return true;
  const local = at.setZone(cachedZone(zone));
  const minute = local.hour * 60 + local.minute;
  const today = local.weekdayShort as string;
  const yesterday = local.minus({ days: 1 }).weekdayShort as string;
  return layer.restrictions.some((r) => {
    const from = minutesOf(r.from);
    const to = minutesOf(r.to);
    const onDay = (day: string) => !r.days || (r.days as string[]).includes(day);
    if (from < to) return onDay(today) && minute >= from && minute < to;
    // A window across midnight belongs to the day it starts on.
    return (onDay(today) && minute >= from) || (onDay(yesterday) && minute < to);
  });
}

export interface OnCallAt {
  /** who is on call: usually one person; overrides may add or remove */
  users: string[];
  /** the layer the primary came from (null when an override or nobody) */
  layer: string | null;
  /** the overrides that changed who is on call at that moment, in the order they applied */
  overrides: ScheduleOverride[];
  shadows: Array<{ user: string; shadowing: string }>;
}

/** The rotation slot that puts someone on call at `at`, before overrides: the last layer that applies and has someone (later layers win). */
function primaryAt(spec: ScheduleSpec, at: DateTime): { layer: ScheduleLayer; shift: Shift } | null {
  let primary: { layer: ScheduleLayer; shift: Shift } | null = null;
  for (const layer of spec.layers) {
    if (!layerApplies(layer, spec.timeZone, at)) continue;
    const shift = shiftAt(layer, spec.timeZone, at);
    if (shift) primary = { layer, shift };
  }
  return primary;
}

const within = (span: { from: string; to: string }, zone: string, at: DateTime) => localTime(span.from, zone) <= at && at < localTime(span.to, zone);

/**
 * Who is on call for a schedule at `at`: the last layer that has someone
 * (later layers win), then overrides in order (replace, add, remove), then
 * the shadows following whoever is on call.
 */
export function onCallAt(spec: ScheduleSpec, at: DateTime): OnCallAt {
  const zone = spec.timeZone;
  const winner = primaryAt(spec, at);
  const primary = winner ? { user: winner.shift.user, layer: winner.layer.name } : null;
  let users = primary ? [primary.user] : [];
  let layer = primary?.layer ?? null;
  const applied: ScheduleOverride[] = [];
  for (const o of spec.overrides) {
    if (!within(o, zone, at)) continue;
    // One that finds nothing to do (replaces someone not on call) changes nothing and is not reported.
    if (o.remove) {
      if (!users.includes(o.remove)) continue;
      users = users.filter((u) => u !== o.remove);
    } else if (o.replaces) {
      if (!users.includes(o.replaces)) continue;
      users = users.map((u) => (u === o.replaces ? o.user! : u));
    } else {
      if (users.includes(o.user!)) continue;
      users = [...users, o.user!];
    }
    applied.push(o);
    if (primary && !users.includes(primary.user)) layer = null;
  }
  const shadows: OnCallAt['shadows'] = [];
  for (const s of spec.shadows) {
    if (!within(s, zone, at)) continue;
    const followed = s.follows.user ? (users.includes(s.follows.user) ? s.follows.user : null) : s.follows.layer === layer ? (users[0] ?? null) : null;
    if (followed && followed !== s.user) shadows.push({ user: s.user, shadowing: followed });
  }
  return { users, layer, overrides: applied, shadows };
}

/** Every moment in [from, to) where the answer of onCallAt may change. */
function changePoints(spec: ScheduleSpec, from: DateTime, to: DateTime): DateTime[] {
  const zone = spec.timeZone;
  const points: DateTime[] = [from];
  for (const layer of spec.layers) {
    let shift = shiftAt(layer, zone, from);
    const start = localTime(layer.start, zone);
    if (!shift && start < to) {
      points.push(start);
      shift = shiftAt(layer, zone, start);
    }
    while (shift && shift.end < to) {
      points.push(shift.end);
      shift = shiftAt(layer, zone, shift.end);
    }
    for (const r of layer.restrictions ?? []) {
      for (let day = from.setZone(cachedZone(zone)).startOf('day').minus({ days: 1 }); day < to; day = day.plus({ days: 1 })) {
        for (const clock of [r.from, r.to]) {
          const [h, m] = clock.split(':').map(Number) as [number, number];
          points.push(day.set({ hour: h, minute: m }));
        }
      }
    }
  }
  for (const span of [...spec.overrides, ...spec.shadows]) points.push(localTime(span.from, zone), localTime(span.to, zone));
  return points.filter((p) => p >= from && p < to).sort((a, b) => a.toMillis() - b.toMillis());
}

export interface ShiftSegment {
  start: DateTime;
  end: DateTime;
  users: string[];
  /** the layer the primary came from; null when an override put someone else there, or nobody is on call */
  layer: string | null;
  /** the overrides in effect, so a calendar can tell override shifts from the rotation's */
  overrides: ScheduleOverride[];
  shadows: OnCallAt['shadows'];
}

const sameOverrides = (a: ScheduleOverride[], b: ScheduleOverride[]) => a.length === b.length && a.every((o, i) => o === b[i]);

/** The schedule's shifts over [from, to): consecutive stretches with the same people on call. */
export function shiftsBetween(spec: ScheduleSpec, from: DateTime, to: DateTime): ShiftSegment[] {
  const segments: ShiftSegment[] = [];
  const points = changePoints(spec, from, to);
  points.forEach((p, i) => {
    const end = points[i + 1] ?? to;
    if (end <= p) return;
    const who = onCallAt(spec, p);
    const last = segments[segments.length - 1];
    const same =
      last &&
      last.end.toMillis() === p.toMillis() &&
      last.users.join() === who.users.join() &&
      last.layer === who.layer &&
      sameOverrides(last.overrides, who.overrides) &&
      JSON.stringify(last.shadows) === JSON.stringify(who.shadows);
    if (same) last.end = end;
    else segments.push({ start: p, end, users: who.users, layer: who.layer, overrides: who.overrides, shadows: who.shadows });
  });
  return segments;
}

/**
 * A stretch of the rotation as planned, before overrides: one slot of one
 * layer (a shift of `every`), or the part of it where that layer is the one
 * in effect (a later layer or a restriction may cut a slot into several).
 * Nothing in it depends on the range it was asked for, except that a stretch
 * may be cut at the range's edges; see wholePlannedShifts.
 */
export interface PlannedShift {
  layer: string;
  /** the slot's own start and end in its layer's rotation (the stretch lies within them) */
  slotStart: DateTime;
  slotEnd: DateTime;
  start: DateTime;
  end: DateTime;
  user: string;
}

const NO_SPANS = { overrides: [], shadows: [] };

/** The planned stretches over [from, to), cut at from and to; consecutive slots are never merged, even with the same person. */
export function plannedShifts(spec: ScheduleSpec, from: DateTime, to: DateTime): PlannedShift[] {
  const plain: ScheduleSpec = { ...spec, ...NO_SPANS };
  const points = changePoints(plain, from, to);
  const out: PlannedShift[] = [];
  points.forEach((p, i) => {
    const end = points[i + 1] ?? to;
    if (end <= p) return;
    const winner = primaryAt(plain, p);
    if (!winner) return;
    const last = out[out.length - 1];
    if (last && last.end.toMillis() === p.toMillis() && last.layer === winner.layer.name && last.slotStart.toMillis() === winner.shift.start.toMillis()) last.end = end;
    else out.push({ layer: winner.layer.name, slotStart: winner.shift.start, slotEnd: winner.shift.end, start: p, end, user: winner.shift.user });
  });
  return out;
}

/**
 * The planned stretches that overlap [from, to), each whole: one that began
 * before `from` or ends after `to` is given with its real start and end.
 * A stretch lies within its slot, so asking again from the first one's slot
 * start to the last one's slot end finds them uncut.
 */
export function wholePlannedShifts(spec: ScheduleSpec, from: DateTime, to: DateTime): PlannedShift[] {
  const cut = plannedShifts(spec, from, to);
  const first = cut[0];
  const last = cut[cut.length - 1];
  if (!first || !last) return [];
  const wideFrom = first.slotStart < from ? first.slotStart : from;
  const wideTo = last.slotEnd > to ? last.slotEnd : to;
  if (wideFrom.toMillis() === from.toMillis() && wideTo.toMillis() === to.toMillis()) return cut;
  return plannedShifts(spec, wideFrom, wideTo).filter((s) => s.end > from && s.start < to);
}
