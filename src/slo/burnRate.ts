import type { SloSpec } from './sloKind.js';
import { budgetWindow, evaluationEnd, nominalWindowMs } from './sloWindow.js';
import { sliceLength } from './timeslices.js';

export interface SliCounts {
  good: number;
  total: number;
}

/** Where an SLO's events are counted: the good and total events of the minutes in [from, to). */
export interface SliSeries {
  counts(from: number, to: number): Promise<SliCounts>;
}

export type Urgency = 'page' | 'ticket';

export interface BurnTier {
  name: 'page-fast' | 'page-slow' | 'ticket-fast' | 'ticket-slow';
  urgency: Urgency;
  /** the burn rate both windows must reach */
  burnRate: number;
  /** windows for a 30-day SLO; scaled with the SLO's window */
  longMs: number;
  shortMs: number;
}

const HOUR = 3_600_000;
const THIRTY_DAYS = 30 * 24 * HOUR;

// The SRE Workbook's multi-window, multi-burn-rate alerts for a 30-day
// window: 2% of the budget in an hour, 5% in six hours page; 10% in a day,
// 10% in three days open a ticket. Each needs the short window too, so the
// alert ends soon after the burn does.
export const burnTiers: readonly BurnTier[] = [
  { name: 'page-fast', urgency: 'page', burnRate: 14.4, longMs: HOUR, shortMs: 5 * 60_000 },
  { name: 'page-slow', urgency: 'page', burnRate: 6, longMs: 6 * HOUR, shortMs: 30 * 60_000 },
  { name: 'ticket-fast', urgency: 'ticket', burnRate: 3, longMs: 24 * HOUR, shortMs: 2 * HOUR },
  { name: 'ticket-slow', urgency: 'ticket', burnRate: 1, longMs: 72 * HOUR, shortMs: 6 * HOUR },
];

/**
 * The tiers' windows for an SLO's window, scaled from the 30-day ones, whole
 * multiples of `stepMs` (a minute; a slice for an SLO that budgets slices, so
 * a window holds whole slices) and none shorter than `shortestMs` (prodeng
 * counts minutes; rate() in Prometheus needs longer).
 */
export function scaledTierWindows(window: SloSpec['window'], shortestMs = 60_000, stepMs = 60_000): Array<BurnTier & { long: number; short: number }> {
  const scale = nominalWindowMs(window) / THIRTY_DAYS;
  const scaled = (ms: number) => Math.max(shortestMs, Math.round((ms * scale) / stepMs) * stepMs);
  return burnTiers.map((t) => ({ ...t, long: scaled(t.longMs), short: scaled(t.shortMs) }));
}

export type AlertTierName = BurnTier['name'] | 'exhausted' | 'no-data';

export interface BurnWindow {
  tier: BurnTier['name'];
  longMs: number;
  shortMs: number;
  threshold: number;
  longBurnRate: number;
  shortBurnRate: number;
  badInLong: number;
  firing: boolean;
}

export interface SloStatus {
  /** the end of the last whole minute evaluated */
  at: number;
  window: { start: number; end: number };
  objective: number;
  good: number;
  total: number;
  bad: number;
  /** bad events the window's budget allows, (1 - objective) × total (good, total and bad count slices when the SLO budgets slices) */
  allowedBad: number;
  /** 1 is untouched, 0 spent, below 0 overspent */
  budgetRemaining: number;
  burn: BurnWindow[];
  exhausted: boolean;
  noData: boolean;
  /** the most urgent condition that holds, which the SLO's one alert carries */
  tier: { name: AlertTierName; urgency: Urgency } | null;
}

/** A tier's urgency by its name. */
export function urgencyOf(tier: BurnTier['name']): Urgency {
  return burnTiers.find((t) => t.name === tier)!.urgency;
}

// Sums of whole events compared with a product of decimals (0.6 × 0.001 × N):
// a hair of tolerance so an exact threshold counts as reached.
const EPSILON = 1e-9;

function burnRate(c: SliCounts, errorBudget: number): number {
  return c.total > 0 ? (c.total - c.good) / c.total / errorBudget : 0;
}

/**
 * Event-weighted: the budget is a share of the events in the window, not an
 * average of per-minute ratios, so a busy hour weighs what it weighed.
 * With Timeslices or RatioTimeslices the series holds slices (each one event
 * of weight one, see timeslices.ts), so the same sums budget slices; the
 * alerting windows are whole slices, and no-data looks back at least a slice.
 */
export async function evaluateSlo(spec: SloSpec, series: SliSeries, now: number, opts: { knownSince: number }): Promise<SloStatus> {
  const end = evaluationEnd(now);
  const sliceMs = sliceLength(spec);
  const slice = sliceMs ?? 60_000;
  const noDataAfter = sliceMs === null ? spec.alerting.noDataAfter : Math.max(spec.alerting.noDataAfter, sliceMs);
  const objective = spec.objective / 100;
  const errorBudget = 1 - objective;
  const window = budgetWindow(spec.window, end);
  const inWindow = await series.counts(window.start, end);
  const bad = inWindow.total - inWindow.good;
  const allowedBad = errorBudget * inWindow.total;
  const budgetRemaining = inWindow.total > 0 ? 1 - bad / allowedBad : 1;
  const burn: BurnWindow[] = [];
  for (const tier of scaledTierWindows(spec.window, slice, slice)) {
    const longMs = tier.long;
    const shortMs = tier.short;
    const long = await series.counts(end - longMs, end);
    const short = await series.counts(end - shortMs, end);
    const longBurnRate = burnRate(long, errorBudget);
    const shortBurnRate = burnRate(short, errorBudget);
    const badInLong = long.total - long.good;
    const reached = (rate: number) => rate >= tier.burnRate * (1 - EPSILON);
    const enabled = tier.urgency === 'page' ? spec.alerting.page : spec.alerting.ticket;
    const firing = enabled && reached(longBurnRate) && reached(shortBurnRate) && badInLong >= spec.alerting.minBadEvents;
    burn.push({ tier: tier.name, longMs, shortMs, threshold: tier.burnRate, longBurnRate, shortBurnRate, badInLong, firing });
  }

  const exhausted = inWindow.total > 0 && budgetRemaining <= 0;
  const recent = await series.counts(end - noDataAfter, end);
  const noData = recent.total === 0 && end - opts.knownSince >= noDataAfter;
  const firingTier = burn.find((b) => b.firing);
  const tier = firingTier
    ? { name: firingTier.tier, urgency: urgencyOf(firingTier.tier) }
    : exhausted && spec.alerting.ticket
      ? { name: 'exhausted' as const, urgency: 'ticket' as const }
      : noData && spec.alerting.ticket
        ? { name: 'no-data' as const, urgency: 'ticket' as const }
        : null;
  return { at: end, window, objective: spec.objective, good: inWindow.good, total: inWindow.total, bad, allowedBad, budgetRemaining, burn, exhausted, noData, tier };
}
