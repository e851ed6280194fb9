import { DateTime } from 'luxon';
import type { SloSpec } from './sloKind.js';

export const MINUTE = 60_000;
const DAY = 86_400_000;

export const CALENDAR_PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type CalendarPeriod = (typeof CALENDAR_PERIODS)[number];

/** Each calendar period's nominal length, which the alerting windows scale with (a month counts as 30 days). */
const nominalDays: Record<CalendarPeriod, number> = { day: 1, week: 7, month: 30, quarter: 90, year: 365 };

/** The budget window that ends at `end`: the last N days, or the calendar period so far in its time zone. */
export function budgetWindow(window: SloSpec['window'], end: number): { start: number; end: number } {
  if (typeof window === 'number') return { start: end - window, end };
  // The window holds the minute just ended; a period begins at 00:00 local time, DST and all.
  const local = DateTime.fromMillis(end - 1, { zone: window.timeZone });
  return { start: local.startOf(window.calendar).toMillis(), end };
}

/** The window's nominal length, which the alerting windows scale with. */
export function nominalWindowMs(window: SloSpec['window']): number {
  if (typeof window === 'number') return window;
  return nominalDays[window.calendar] * DAY;
}

export function describeWindow(window: SloSpec['window']): string {
  if (typeof window === 'number') return `rolling ${Math.round(window / DAY) >= 1 && window % DAY === 0 ? `${window / DAY}d` : `${window / 3_600_000}h`}`;
  return `calendar ${window.calendar} (${window.timeZone})`;
}

/** Evaluation uses whole minutes: the one that ends at or before `now`. */
export function evaluationEnd(now: number): number {
  return Math.floor(now / MINUTE) * MINUTE;
}
