import { Cron } from 'croner';
import type { GameDaySpec } from './gameDayKind.js';

/** How late a slot may still run: a server down over its slot runs it when it is back within this, once. */
export const MISSED_SLOT_GRACE_MS = 60 * 60_000;

const cronOf = (spec: Pick<GameDaySpec, 'schedule' | 'timeZone'>) => new Cron(spec.schedule, { paused: true, timezone: spec.timeZone });

/** The first slot after `now`, or null when the schedule has no more. */
export function nextSlot(spec: Pick<GameDaySpec, 'schedule' | 'timeZone'>, now: number): number | null {
  const cron = cronOf(spec);
  const next = cron.nextRun(new Date(now));
  cron.stop();
  return next ? next.getTime() : null;
}

/**
 * The slot that is due now: the latest one at or before `now` and no older
 * than the grace. Only the latest: a server down over several slots runs
 * once when it is back, not once per slot it missed.
 */
export function dueSlot(spec: Pick<GameDaySpec, 'schedule' | 'timeZone'>, now: number, graceMs = MISSED_SLOT_GRACE_MS): number | null {
  const cron = cronOf(spec);
  let due: number | null = null;
  // croner's nextRun is strictly after the date given; the slot at now - grace is too old anyway.
  for (let t = cron.nextRun(new Date(now - graceMs)); t && t.getTime() <= now; t = cron.nextRun(t)) due = t.getTime();
  cron.stop();
  return due;
}
