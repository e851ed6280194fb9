import { DateTime } from 'luxon';
import type { SloSpec } from './sloKind.js';

export const MINUTE = 60_000;
const DAY = 86_400_000;

/** The budget window that ends at `end`: the last N days, or the calendar month or week so far in its time zone. */
export function budgetWindow(window: SloSpec['window'], end: number): { start: number; end: number } {
  if (typeof window === 'number') return { start: end - window, end };
  // The window holds the minute just ended; a month begins at 00:00 local time, DST and all.
  const local = DateTime.fromMillis(end - 1, { zone: window.timeZone });
  return { start: local.startOf(window.calendar === 'month' ? 'month' : 'week').toMillis(), end };
}

/** The window's nominal length, which the alerting windows scale with (a calendar month counts as 30 days). */
export function nominalWindowMs(window: SloSpec['window']): number {
  if (typeof window === 'number') return window;
  return window.calendar === 'month' ? 30 * DAY : 7 * DAY;
}

export function describeWindow(window: SloSpec['window']): string {
  if (typeof window === 'number') return `rolling ${Math.round(window / DAY) >= 1 && window % DAY === 0 ? `${window / DAY}d` : `${window / 3_600_000}h`}`;
  return `calendar ${window.calendar} (${window.timeZone})`;
}

/** Evaluation uses whole minutes: the one that ends at or before `now`. */
export function evaluationEnd(now: number): number {
  return Math.floor(now / MINUTE) * MINUTE;
}
