import type { DbOrTx } from '../store/store.js';
import { autoRemediationRate, noRemediations, remediationOutcomes, type RemediationCounts } from './remediationOutcomes.js';

export type { RemediationCounts } from './remediationOutcomes.js';

/** Which team owns which service, from the config's Service documents (`spec.owner`). */
export interface TeamOwnership {
  serviceOwners: ReadonlyMap<string, string>;
}

export function teamNames(owners: TeamOwnership): string[] {
  return [...new Set(owners.serviceOwners.values())].sort();
}

/** The services a team owns, by name; empty for a team that owns none (or does not exist). */
export function servicesOf(owners: TeamOwnership, team: string): string[] {
  return [...owners.serviceOwners].filter(([, owner]) => owner === team).map(([service]) => service).sort();
}

/** Durations in seconds; null when there was nothing to measure. */
export interface DurationStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

export interface ServiceReport {
  /** null: alerts and remediations that named no service */
  service: string | null;
  /** firings: alerts that started in the window */
  alerts: number;
  /** incident opened to its first acknowledgement, for incidents acknowledged in the window */
  mtta: DurationStats;
  /** alert start to resolution, for alerts resolved in the window */
  mttr: DurationStats;
  /** remediations that finished in the window, by how they ended (see remediationOutcomes) */
  remediations: RemediationCounts;
  /**
   * fixed without a human (succeeded − approvedByHuman) / (succeeded + failed + escalated),
   * the same share as the prodeng_remediation_fixed_without_human_ratio gauge; skipped ones did
   * not try, so they count neither way; null when none of them acted
   */
  autoRemediationRate: number | null;
  /** the runbooks' manualMinutes summed over the remediations that succeeded */
  minutesSaved: number;
}

export interface TeamReport {
  /** null: services no team owns (not in the config, or no service at all) */
  team: string | null;
  services: ServiceReport[];
}

export interface TeamReportFilter {
  since: number;
  until: number;
  /** only this team; it must own at least one service */
  team?: string | undefined;
}

/** Nearest rank: always a duration that was observed, never one interpolated between two. */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sortedAscending.length));
  return sortedAscending[rank - 1] as number;
}

// Milliseconds of precision are plenty for minutes-long response times.
const seconds = (ms: number) => Math.round(ms) / 1000;

export function durationStats(durationsMs: readonly number[]): DurationStats {
  if (durationsMs.length === 0) return { count: 0, mean: null, p50: null, p90: null };
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, d) => sum + d, 0) / sorted.length;
  return { count: sorted.length, mean: seconds(mean), p50: seconds(percentile(sorted, 0.5)!), p90: seconds(percentile(sorted, 0.9)!) };
}

interface ServiceFigures {
  alerts: number;
  ackMs: number[];
  resolveMs: number[];
  remediations: RemediationCounts;
  minutesSaved: number;
}

const noFigures = (): ServiceFigures => ({ alerts: 0, ackMs: [], resolveMs: [], remediations: noRemediations(), minutesSaved: 0 });

/**
 * MTTA, MTTR, auto-remediation rate and human minutes saved per team and
 * service over a window. MTTA is what a human's response takes: from an
 * incident opening (a page going out) to its first acknowledgement; MTTR is
 * measured on alerts, start to resolution. Each figure counts the events that
 * happened in the window: alerts that started, acknowledgements, resolutions,
 * remediations that finished; so an alert that started last week and was
 * resolved today is in today's MTTR.
 */
export async function teamReports(db: DbOrTx, owners: TeamOwnership, filter: TeamReportFilter): Promise<TeamReport[]> {
  const services = filter.team === undefined ? undefined : servicesOf(owners, filter.team);
  const figures = await figuresByService(db, filter, services);
  const report = (service: string | null): ServiceReport => serviceReport(service, figures.get(service) ?? noFigures());

  // A team's services are listed even when quiet: "nothing happened" is a finding too.
  const teams = filter.team === undefined ? teamNames(owners) : [filter.team];
  const out: TeamReport[] = teams.map((team) => ({ team, services: servicesOf(owners, team).map(report) }));
  if (filter.team === undefined) {
    const unowned = [...figures.keys()].filter((s) => s === null || !owners.serviceOwners.has(s));
    unowned.sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
    if (unowned.length > 0) out.push({ team: null, services: unowned.map(report) });
  }
  return out;
}

function serviceReport(service: string | null, f: ServiceFigures): ServiceReport {
  return {
    service,
    alerts: f.alerts,
    mtta: durationStats(f.ackMs),
    mttr: durationStats(f.resolveMs),
    remediations: f.remediations,
    autoRemediationRate: autoRemediationRate(f.remediations),
    minutesSaved: f.minutesSaved,
  };
}

async function figuresByService(db: DbOrTx, window: TeamReportFilter, services: string[] | undefined): Promise<Map<string | null, ServiceFigures>> {
  const figures = new Map<string | null, ServiceFigures>();
  if (services && services.length === 0) return figures;
  const of = (service: string | null) => {
    let f = figures.get(service);
    if (!f) figures.set(service, (f = noFigures()));
    return f;
  };
  // Every count and sum goes through Number(): PostgreSQL returns bigint (count, sum of bigint) and numeric.
  const alerts = services ? db.selectFrom('alerts').where('service', 'in', services) : db.selectFrom('alerts');
  const started = await alerts
    .select((eb) => ['service', eb.fn.countAll<number>().as('n')])
    .where('starts_at', '>=', window.since)
    .where('starts_at', '<', window.until)
    .groupBy('service')
    .execute();
  for (const r of started) of(r.service).alerts = Number(r.n);

  // An incident is acknowledged once (only an open one takes an acknowledgement, and none reopens), so
  // acknowledged_at is its first acknowledgement; the timeline's 'acknowledged' event records the same moment.
  let incidents = db
    .selectFrom('incidents')
    .select(['service', 'created_at', 'acknowledged_at'])
    .where('acknowledged_at', '>=', window.since)
    .where('acknowledged_at', '<', window.until);
  if (services) incidents = incidents.where('service', 'in', services);
  for (const r of await incidents.execute()) of(r.service).ackMs.push(Math.max(0, Number(r.acknowledged_at) - Number(r.created_at)));

  const resolved = await alerts
    .select(['service', 'starts_at', 'resolved_at'])
    .where('resolved_at', '>=', window.since)
    .where('resolved_at', '<', window.until)
    .execute();
  for (const r of resolved) of(r.service).resolveMs.push(Math.max(0, Number(r.resolved_at) - Number(r.starts_at)));

  const outcomes = await remediationOutcomes(db, { since: window.since, until: window.until, ...(services ? { services } : {}) });
  for (const [service, o] of outcomes) {
    const f = of(service);
    f.remediations = o.counts;
    f.minutesSaved = o.minutesSaved;
  }
  return figures;
}
