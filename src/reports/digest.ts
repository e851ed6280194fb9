import { z } from 'zod';
import { lastEvaluations } from '../slo/sliStore.js';
import type { DbOrTx } from '../store/store.js';
import { alertPareto, type AlertPareto } from './pareto.js';
import { percentile, servicesOf, type RemediationCounts, type TeamOwnership } from './teamReports.js';
import { remediationOutcomes, totalOutcomes } from './remediationOutcomes.js';

/** Availability and latency of one service's probe checks over the window. */
export interface ServiceHealth {
  service: string;
  checks: number;
  passed: number;
  /** passed / checks; null without checks (no data is not 100%) */
  availability: number | null;
  /** nearest-rank percentiles over every check's latency, failed ones too: a timeout is what users waited */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface FilesystemUse {
  /** the series' mountpoint label (else its device) */
  mountpoint: string;
  usedPercent: number;
}

export interface HostDisk {
  host: string;
  address: string | null;
  service: string | null;
  /** the fullest filesystem's; null when Prometheus had no series for the host */
  usedPercent: number | null;
  filesystems: FilesystemUse[];
}

/** Measured through Prometheus, or said plainly that it was not: a digest never shows a number nobody measured. */
export type DiskCapacity =
  | { measured: false; reason: string }
  | {
      measured: true;
      /** the Prometheus URL without its password */
      source: string;
      query: string;
      /** the instant the query was evaluated at: the end of the window */
      at: string;
      hosts: HostDisk[];
      /** instance labels that matched none of the team's hosts (to fix a mismatch between the two) */
      unmatchedInstances: string[];
    };

export interface PrometheusDiskSource {
  url: string;
  /** PromQL giving one sample per instance (and filesystem) of the percentage used */
  diskQuery: string;
}

export interface DigestIncident {
  id: number;
  title: string;
  status: 'open' | 'acknowledged' | 'resolved';
  service: string | null;
  acknowledgedBy: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface DigestRemediations {
  /** remediations that finished in the window, however they ended */
  finished: number;
  /** by how they ended: escalated whenever a human was handed the problem (see remediationOutcomes) */
  byStatus: RemediationCounts;
  /** the runbooks' manualMinutes over the ones that succeeded */
  minutesSaved: number;
}

/** One team's day: what the email says, as data (JSON-safe: times are ISO strings). */
export interface Digest {
  team: string;
  /** the UTC day the window ends in, YYYY-MM-DD (the subject's date) */
  date: string;
  since: string;
  until: string;
  services: string[];
  recipients: string[];
  health: ServiceHealth[];
  disk: DiskCapacity;
  /** the top 5 alert templates of the team's services */
  pareto: AlertPareto;
  incidents: DigestIncident[];
  remediations: DigestRemediations;
  /** the SLOs of the team's services at their last evaluation ([] when there are none) */
  slos: DigestSlo[];
  /** scorecard campaigns due soon or overdue, and services behind their phase's level ([] when nothing is due) */
  upkeepDue: string[];
}

export interface DigestSlo {
  name: string;
  service: string;
  objective: number;
  /** null until the SLO was first evaluated */
  budgetRemaining: number | null;
  tier: string | null;
  urgency: string | null;
}

/** An SLO as the digest needs to know it from the config. */
export interface SloRef {
  name: string;
  service: string;
  objective: number;
}

export interface DigestInput {
  team: string;
  /** the services the team owns */
  services: string[];
  recipients: string[];
  /** epoch ms, inclusive */
  since: number;
  /** epoch ms, exclusive */
  until: number;
  /** absent: disk capacity is reported as not measured */
  prometheus?: PrometheusDiskSource | undefined;
  /** the SLOs of these services */
  slos?: readonly SloRef[] | undefined;
  /** what the scorecard says is due for the team */
  upkeepDue?: readonly string[] | undefined;
}

/** Who owns what and whom to mail: the config's Services and Teams, passed in by the composition root. */
export interface DigestTeams extends TeamOwnership {
  /** the team members' email addresses */
  teamEmails(team: string): string[];
  /** every SLO in the config; the digest keeps those of the team's services */
  slos?: readonly SloRef[];
  /** the scorecard's "upkeep due" lines for a team, as of a moment */
  upkeepDue?: (team: string, at: number) => Promise<string[]>;
}

const DAY_MS = 86_400_000;

/** The default window: the 24 hours before now, so a digest sent at 08:00 covers 08:00 to 08:00. */
export const lastDay = (now: number) => ({ since: now - DAY_MS, until: now });

/** A whole UTC day, from YYYY-MM-DD (already checked to be a date). */
export function utcDay(date: string): { since: number; until: number } {
  const since = Date.parse(`${date}T00:00:00Z`);
  return { since, until: since + DAY_MS };
}

/** A team's digest over a window, its services and recipients looked up from the config. */
export async function teamDigest(db: DbOrTx, teams: DigestTeams, team: string, window: { since: number; until: number }, prometheus: PrometheusDiskSource | undefined): Promise<Digest> {
  const services = servicesOf(teams, team);
  const upkeepDue = teams.upkeepDue ? await teams.upkeepDue(team, window.until) : [];
  return buildDigest(db, { team, services, recipients: teams.teamEmails(team), ...window, prometheus, slos: teams.slos?.filter((s) => services.includes(s.service)), upkeepDue });
}

export const PARETO_ENTRIES = 5;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(Number(ms)));

export async function buildDigest(db: DbOrTx, input: DigestInput): Promise<Digest> {
  const window = { since: input.since, until: input.until };
  const [health, disk, pareto, incidents, remediations, slos] = await Promise.all([
    serviceHealth(db, input.services, window),
    diskCapacity(db, input.services, input.until, input.prometheus),
    alertPareto(db, { ...window, services: input.services, limit: PARETO_ENTRIES }),
    incidentsOpened(db, input.team, input.services, window),
    remediationsFinished(db, input.services, window),
    sloBudgets(db, input.slos ?? []),
  ]);
  return {
    team: input.team,
    // The day of the last moment in the window: a whole UTC day names itself, a rolling 24 hours the day it ends on.
    date: iso(input.until - 1).slice(0, 10),
    since: iso(input.since),
    until: iso(input.until),
    services: [...input.services],
    recipients: [...input.recipients],
    health,
    disk,
    pareto,
    incidents,
    remediations,
    slos,
    upkeepDue: [...(input.upkeepDue ?? [])],
  };
}

/** Each SLO's budget and alert tier as the evaluator last left them. */
async function sloBudgets(db: DbOrTx, slos: readonly SloRef[]): Promise<DigestSlo[]> {
  if (slos.length === 0) return [];
  const status = await lastEvaluations(db, slos.map((s) => s.name));
  return slos.map((s) => {
    const st = status.get(s.name) ?? null;
    return { name: s.name, service: s.service, objective: s.objective, budgetRemaining: st?.budgetRemaining ?? null, tier: st?.tier?.name ?? null, urgency: st?.tier?.urgency ?? null };
  });
}

interface Window {
  since: number;
  until: number;
}

/**
 * Percentiles need every latency, so the rows are loaded: one team's
 * services for one day is probes × hosts × checks a day (tens of thousands at
 * most), fine to sort in memory.
 */
async function serviceHealth(db: DbOrTx, services: string[], w: Window): Promise<ServiceHealth[]> {
  if (services.length === 0) return [];
  const rows = await db
    .selectFrom('probe_results')
    .select(['service', 'ok', 'latency_ms'])
    .where('service', 'in', services)
    .where('at', '>=', w.since)
    .where('at', '<', w.until)
    .execute();
  const latencies = new Map<string, number[]>(services.map((s) => [s, []]));
  const passed = new Map<string, number>();
  for (const r of rows) {
    latencies.get(r.service!)!.push(Number(r.latency_ms));
    if (Number(r.ok) === 1) passed.set(r.service!, (passed.get(r.service!) ?? 0) + 1);
  }
  return services.map((service) => {
    const sorted = latencies.get(service)!.sort((a, b) => a - b);
    const ok = passed.get(service) ?? 0;
    // latency_ms is kept to a tenth of a millisecond; PostgreSQL's real can read back as 40.09999.
    const tenth = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);
    return {
      service,
      checks: sorted.length,
      passed: ok,
      availability: sorted.length === 0 ? null : ok / sorted.length,
      latencyP50Ms: tenth(percentile(sorted, 0.5)),
      latencyP95Ms: tenth(percentile(sorted, 0.95)),
    };
  });
}

/** Opened in the window, for the team: routed to it by paging, or of one of its services (hand-opened ones carry no team). */
async function incidentsOpened(db: DbOrTx, team: string, services: string[], w: Window): Promise<DigestIncident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('created_at', '>=', w.since)
    .where('created_at', '<', w.until)
    .where((eb) => (services.length > 0 ? eb.or([eb('team', '=', team), eb('service', 'in', services)]) : eb('team', '=', team)))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    status: r.status,
    service: r.service,
    acknowledgedBy: r.acknowledged_by,
    createdAt: iso(Number(r.created_at)),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: r.resolved_by,
  }));
}

async function remediationsFinished(db: DbOrTx, services: string[], w: Window): Promise<DigestRemediations> {
  const { counts, minutesSaved } = totalOutcomes((await remediationOutcomes(db, { since: w.since, until: w.until, services })).values());
  const finished = counts.succeeded + counts.failed + counts.escalated + counts.skipped;
  return { finished, byStatus: counts, minutesSaved };
}

export const DEFAULT_DISK_QUERY = '100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"})';
export const DISK_NOT_MEASURED = 'not measured (set PRODENG_PROMETHEUS_URL)';

/** PRODENG_PROMETHEUS_URL and PRODENG_DIGEST_DISK_QUERY; undefined when no Prometheus is configured. */
export function prometheusFromEnv(env: NodeJS.ProcessEnv = process.env): PrometheusDiskSource | undefined {
  const url = env.PRODENG_PROMETHEUS_URL?.trim();
  if (!url) return undefined;
  return { url, diskQuery: env.PRODENG_DIGEST_DISK_QUERY?.trim() || DEFAULT_DISK_QUERY };
}

// Prometheus's instant-query answer (https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries).
const vectorSample = z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) });
const queryAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: z.object({ resultType: z.string(), result: z.unknown() }) }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

const PROMETHEUS_TIMEOUT_MS = 10_000;

async function diskCapacity(db: DbOrTx, services: string[], at: number, prometheus: PrometheusDiskSource | undefined): Promise<DiskCapacity> {
  if (!prometheus) return { measured: false, reason: DISK_NOT_MEASURED };
  const source = withoutPassword(prometheus.url);
  const samples = await queryVector(prometheus, at);
  if (typeof samples === 'string') return { measured: false, reason: `Prometheus at ${source}: ${samples}` };
  const hosts =
    services.length === 0
      ? []
      : await db.selectFrom('hosts').select(['name', 'address', 'service']).where('service', 'in', services).where('state', '<>', 'decommissioned').orderBy('name').execute();

  const byHost = new Map<string, FilesystemUse[]>(hosts.map((h) => [h.name, []]));
  const unmatched = new Set<string>();
  for (const s of samples) {
    const instance = s.metric.instance ?? '';
    const used = Number(s.value[1]);
    // A filesystem of size 0 gives NaN: nothing to report for it.
    if (!Number.isFinite(used)) continue;
    const matched = hostsOfInstance(instance, hosts);
    if (matched.length === 0) unmatched.add(instance);
    for (const h of matched) byHost.get(h.name)!.push({ mountpoint: s.metric.mountpoint ?? s.metric.device ?? '(all)', usedPercent: Math.round(used * 10) / 10 });
  }
  return {
    measured: true,
    source,
    query: prometheus.diskQuery,
    at: new Date(at).toISOString(),
    hosts: hosts.map((h) => {
      const filesystems = byHost.get(h.name)!.sort((a, b) => b.usedPercent - a.usedPercent || (a.mountpoint < b.mountpoint ? -1 : 1));
      return { host: h.name, address: h.address, service: h.service, usedPercent: filesystems[0]?.usedPercent ?? null, filesystems };
    }),
    unmatchedInstances: [...unmatched].sort(),
  };
}

/** The samples of an instant query at `at`, or what went wrong (never the URL's password). */
async function queryVector(p: PrometheusDiskSource, at: number): Promise<Array<z.infer<typeof vectorSample>> | string> {
  let url: URL;
  try {
    // Relative to the base keeps a path prefix (http://gateway/prometheus/).
    url = new URL('api/v1/query', p.url.endsWith('/') ? p.url : `${p.url}/`);
  } catch {
    return 'PRODENG_PROMETHEUS_URL is not a URL';
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  // fetch refuses URLs with credentials; basic auth goes in a header instead.
  if (url.username || url.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  url.searchParams.set('query', p.diskQuery);
  url.searchParams.set('time', String(at / 1000));
  let status: number;
  let body: unknown;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(PROMETHEUS_TIMEOUT_MS) });
    status = res.status;
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      return `answered HTTP ${status} without the query API's JSON`;
    }
  } catch (err) {
    return `no answer (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name})`;
  }
  const answer = queryAnswer.safeParse(body);
  if (!answer.success) return `answered HTTP ${status} with JSON that is not a query API answer`;
  if (answer.data.status === 'error') return `the disk query failed: ${answer.data.errorType ?? 'error'}: ${answer.data.error ?? 'no message'}`;
  if (answer.data.data.resultType !== 'vector') return `the disk query gave a ${answer.data.data.resultType}, not an instant vector (one sample per instance)`;
  const result = z.array(vectorSample).safeParse(answer.data.data.result);
  return result.success ? result.data : 'the disk query answered samples in an unexpected shape';
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(a PRODENG_PROMETHEUS_URL that is not a URL)';
  }
}

const hostPart = (address: string) => (address.startsWith('[') ? address.slice(1, address.indexOf(']')) : address.split(':').length === 2 ? address.split(':')[0]! : address);

/**
 * The hosts an `instance` label stands for: the host with that address or
 * name, else those on the same machine. node_exporter listens on its own port
 * (…:9100), not the service's, so the host part alone usually decides.
 */
function hostsOfInstance<H extends { name: string; address: string | null }>(instance: string, hosts: H[]): H[] {
  if (!instance) return [];
  const exact = hosts.filter((h) => h.address === instance || h.name === instance);
  if (exact.length > 0) return exact;
  const machine = hostPart(instance);
  return hosts.filter((h) => (h.address !== null && hostPart(h.address) === machine) || h.name === machine);
}
