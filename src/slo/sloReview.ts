import { DateTime } from 'luxon';
import type { Db } from '../store/store.js';
import type { SloDoc } from './sloKind.js';
import { evaluationEnd } from './sloWindow.js';
import { budgetSeriesKey, sum } from './sliStore.js';

const HOUR = 3_600_000;

/** Records the SLO's objective when it differs from the last one recorded, so past windows keep their own target. */
export async function recordTargets(db: Db, slos: SloDoc[], now: number): Promise<void> {
  for (const slo of slos) {
    const last = await db.selectFrom('slo_targets').select('objective').where('slo', '=', slo.name).orderBy('since', 'desc').executeTakeFirst();
    if (last && Number(last.objective) === slo.spec.objective) continue;
    await db.insertInto('slo_targets').values({ slo: slo.name, objective: slo.spec.objective, since: now }).onConflict((oc) => oc.columns(['slo', 'since']).doNothing()).execute();
  }
}

export interface TargetChange {
  objective: number;
  since: number;
}

export async function targetHistory(db: Db, slo: string): Promise<TargetChange[]> {
  const rows = await db.selectFrom('slo_targets').select(['objective', 'since']).where('slo', '=', slo).orderBy('since').execute();
  return rows.map((r) => ({ objective: Number(r.objective), since: Number(r.since) }));
}

/** The objective in force at `at`: the last set at or before it, else the first ever recorded. */
export function targetAt(history: TargetChange[], at: number, fallback: number): number {
  let objective = history[0]?.objective ?? fallback;
  for (const t of history) if (t.since <= at) objective = t.objective;
  return objective;
}

export interface ReviewedWindow {
  start: number;
  end: number;
  objective: number;
  /** events, or slices when the SLO budgets slices (Timeslices, RatioTimeslices) */
  good: number;
  total: number;
  /** good / total, null without events */
  achieved: number | null;
  /** bad / allowed bad: 0 none used, 1 all, above 1 overspent; null without events */
  budgetUsed: number | null;
  met: boolean | null;
}

export interface SloReview {
  windows: ReviewedWindow[];
  verdict: 'too-loose' | 'too-tight' | 'fits' | 'not-enough-data';
  advice: string;
}

/** The last `count` whole windows, newest first: consecutive rolling periods ending now, or the calendar periods (months, weeks, …) before this one. */
export function pastWindows(slo: SloDoc, now: number, count: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const w = slo.spec.window;
  if (typeof w === 'number') {
    let end = evaluationEnd(now);
    for (let i = 0; i < count; i++, end -= w) out.push({ start: end - w, end });
    return out;
  }
  let start = DateTime.fromMillis(now, { zone: w.timeZone }).startOf(w.calendar);
  for (let i = 0; i < count; i++) {
    const previous = start.minus({ [`${w.calendar}s`]: 1 });
    out.push({ start: previous.toMillis(), end: start.toMillis() });
    start = previous;
  }
  return out;
}

/**
 * Compares the target with what was achieved: met with most of the budget
 * unused window after window says the target may be too loose; exhausted
 * window after window, too tight (or the service needs work).
 */
export async function reviewSlo(db: Db, slo: SloDoc, now: number, count = 3): Promise<SloReview> {
  const history = await targetHistory(db, slo.name);
  const windows: ReviewedWindow[] = [];
  for (const { start, end } of pastWindows(slo, now, count)) {
    const { good, total } = await sum(db, 'sli_hours', budgetSeriesKey(slo), Math.floor(start / HOUR) * HOUR, Math.floor(end / HOUR) * HOUR);
    const objective = targetAt(history, end, slo.spec.objective);
    const allowed = (1 - objective / 100) * total;
    const budgetUsed = total > 0 ? (total - good) / allowed : null;
    windows.push({ start, end, objective, good, total, achieved: total > 0 ? good / total : null, budgetUsed, met: budgetUsed === null ? null : budgetUsed <= 1 });
  }
  const judged = windows.filter((w) => w.budgetUsed !== null);
  const pct = (x: number) => `${(x * 100).toFixed(3).replace(/\.?0+$/, '')}%`;
  if (judged.length < windows.length || judged.length === 0) {
    return { windows, verdict: 'not-enough-data', advice: `${windows.length - judged.length} of the last ${windows.length} windows had no events: too early to judge the target` };
  }
  if (judged.every((w) => w.budgetUsed! <= 0.2)) {
    const worst = Math.min(...judged.map((w) => w.achieved!));
    return { windows, verdict: 'too-loose', advice: `met with at least 80% of the budget unused for ${judged.length} windows (worst ${pct(worst)} against ${judged[0]!.objective}%): the target may be too loose; users may expect what the service has been giving` };
  }
  if (judged.every((w) => w.budgetUsed! >= 1)) {
    return { windows, verdict: 'too-tight', advice: `budget exhausted ${judged.length} windows running: the target is too tight for the service as it is, or the service needs reliability work before new features` };
  }
  return { windows, verdict: 'fits', advice: `the budget was used but not always spent over the last ${judged.length} windows: the target fits` };
}
