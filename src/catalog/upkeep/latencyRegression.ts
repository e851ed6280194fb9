import { notMeasured, type CheckOutcome } from '../checks/checkOutcome.js';
import { percentile } from '../../reports/teamReports.js';
import type { DbOrTx } from '../../store/store.js';

/**
 * Upkeep check: has the service got slower this week, before anyone
 * complains? Compares the p95 latency of prodeng's own successful probe
 * checks of the service over the last 7 days with the 7 days before.
 */

export interface LatencyRegressionThresholds {
  /** this week's p95 may exceed last week's by this much, in percent… */
  maxRisePercent: number;
  /** …or by this much, in ms: it fails only past both (2 ms to 3 ms is +50% and nothing) */
  maxRiseMs: number;
  /** checks a week needs for its p95 to mean something */
  minSamples: number;
}

export const defaultLatencyRegressionThresholds: LatencyRegressionThresholds = { maxRisePercent: 20, maxRiseMs: 10, minSamples: 50 };

export interface LatencyRegressionInput {
  db: DbOrTx;
  service: string;
  now: number;
  thresholds?: Partial<LatencyRegressionThresholds> | undefined;
}

export interface WeekLatency {
  since: number;
  until: number;
  samples: number;
  p95Ms: number | null;
}

const weekMs = 7 * 86_400_000;

export async function latencyRegression(input: LatencyRegressionInput): Promise<CheckOutcome> {
  const thresholds = { ...defaultLatencyRegressionThresholds, ...input.thresholds };
  const { db, service, now } = input;
  const source = `probe results of ${service}`;
  const hosts = await hostsOfService(db, service);
  const thisWeek = await weekLatency(db, service, hosts, now - weekMs, now);
  const lastWeek = await weekLatency(db, service, hosts, now - 2 * weekMs, now - weekMs);
  const evidence = { thisWeek, lastWeek, thresholds };

  const short = [thisWeek.samples < thresholds.minSamples ? `this week ${thisWeek.samples}` : null, lastWeek.samples < thresholds.minSamples ? `last week ${lastWeek.samples}` : null].filter(Boolean);
  if (short.length > 0) {
    return { ...notMeasured(`too few successful probe checks to compare p95 latency (${short.join(', ')}; ${thresholds.minSamples} a week needed): is a Probe selecting this service's hosts?`, source, now), evidence };
  }
  const current = thisWeek.p95Ms!;
  const previous = lastWeek.p95Ms!;
  const riseMs = round(current - previous);
  const risePercent = previous > 0 ? round((riseMs / previous) * 100) : null;
  const both = { ...evidence, riseMs, risePercent };
  const pastPercent = risePercent === null ? riseMs > 0 : risePercent > thresholds.maxRisePercent;
  if (riseMs > thresholds.maxRiseMs && pastPercent) {
    return {
      status: 'failed',
      fact: `p95 latency ${current} ms this week, up ${riseMs} ms${risePercent === null ? '' : ` (${risePercent}%)`} from ${previous} ms last week (more than the ${thresholds.maxRisePercent}% and ${thresholds.maxRiseMs} ms allowed)`,
      source,
      measuredAt: now,
      evidence: both,
    };
  }
  const change = riseMs === 0 ? 'the same as' : riseMs < 0 ? `down from` : `up ${riseMs} ms from`;
  return { status: 'passed', fact: `p95 latency ${current} ms this week, ${change} ${previous} ms last week`, source, measuredAt: now, evidence: both };
}

/**
 * Hosts the fleet assigns to the service now: a probe result written while
 * its host had no service yet counts for the service the host serves. One
 * that names a service is taken at its word (a host moved from another
 * service keeps its old results there).
 */
async function hostsOfService(db: DbOrTx, service: string): Promise<string[]> {
  const rows = await db.selectFrom('hosts').select('name').where('service', '=', service).execute();
  return rows.map((r) => r.name);
}

/**
 * Percentiles need every latency, so the week's rows are loaded (as the
 * digest does): probes × hosts × checks a week, sorted in memory. Failed
 * checks are left out: a timeout's latency is the probe's timeout, not the
 * service's, and availability is another check's job.
 */
async function weekLatency(db: DbOrTx, service: string, hosts: string[], since: number, until: number): Promise<WeekLatency> {
  const rows = await db
    .selectFrom('probe_results')
    .select('latency_ms')
    .where((eb) => (hosts.length > 0 ? eb.or([eb('service', '=', service), eb.and([eb('service', 'is', null), eb('host', 'in', hosts)])]) : eb('service', '=', service)))
    .where('ok', '=', 1)
    .where('at', '>=', since)
    .where('at', '<', until)
    .execute();
  const sorted = rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b);
  const p95 = percentile(sorted, 0.95);
  return { since, until, samples: sorted.length, p95Ms: p95 === null ? null : round(p95) };
}

// latency_ms is kept to a tenth of a millisecond; PostgreSQL's real can read back as 40.09999.
const round = (ms: number) => Math.round(ms * 10) / 10;
