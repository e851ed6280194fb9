/**
 * A scripted fault mix on a running lab, over prodeng's HTTP API only (what an
 * operator would do): every fault kind several times on random services, two
 * hosts of one service broken at once, and automation paused and resumed in the
 * middle with faults arriving while it is paused. At the end each fault is
 * either healed without a human (a remediation for its host succeeded and the
 * faulted process is gone), handed to a human (an open incident holds its alert
 * or its remediation), or neither: the outcome that must not happen.
 *
 * Used by `npm run bench -- lab-faults` (bench/labFaultMix.ts) and by
 * test/lab.faultMix.test.ts. Linux only for the process check (/proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const mixFaultKinds = ['crash', 'hang', 'slow', 'errors', 'disk-full', 'leak'] as const;
export type MixFaultKind = (typeof mixFaultKinds)[number];

export type FaultOutcome = 'healed' | 'incident' | 'neither';

export interface FaultMixOptions {
  /** prodeng's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token?: string;
  seed: number;
  /** how many times each kind is injected (the two-at-once pair counts in its kind; with 1, the pair's kind is injected twice) */
  perKind: number;
  /** between two injections */
  spacingMs: number;
  /** how long automation stays paused (faults keep arriving meanwhile) */
  pauseMs: number;
  /** how many faults arrive while automation is paused */
  duringPause: number;
  /** the longest wait at the end for every fault to be healed or handed over */
  settleMs: number;
  log?: (line: string) => void;
}

export interface FaultRecord {
  n: number;
  kind: MixFaultKind;
  params: Record<string, unknown>;
  service: string;
  host: string;
  /** the shop process that carried the fault, from /proc (null when not found) */
  pid: number | null;
  at: number;
  /** one of two hosts of its service broken at once */
  pair: boolean;
  /** injected while automation was paused */
  whilePaused: boolean;
  outcome: FaultOutcome;
  /** what happened, for a person: alert, remediations, incident, the host now */
  detail: string;
  /** the first probe alert for the host after the fault, ms after it */
  alertAfterMs: number | null;
  /** the fault to its remediation finishing (healed only) */
  healedAfterMs: number | null;
  incidentId: number | null;
}

export interface FaultMixResult {
  seed: number;
  faults: FaultRecord[];
  byKind: Record<MixFaultKind, Record<FaultOutcome, number>>;
  healed: number;
  incident: number;
  neither: number;
  /** the scripted part: first fault to last */
  injectSeconds: number;
  /** the whole run, settling included */
  seconds: number;
  pausedForMs: number;
  incidentsOpen: number;
}

interface Endpoint {
  host: string;
  address: string;
}
interface AlertView {
  id: number;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  lastSeenAt: string;
}
interface RemediationView {
  id: number;
  target: string;
  status: string;
  reason: string;
  alertId: number;
  alertIds: number[];
  createdAt: string;
  finishedAt: string | null;
}
interface IncidentView {
  id: number;
  title: string;
  status: string;
  remediationId: number | null;
  alertIds: number[];
  story: string[];
}
interface HostView {
  name: string;
  state: string;
  address: string | null;
  service: string | null;
}

const SERVICES = ['frontend', 'catalog', 'cart', 'checkout', 'payment', 'shipping', 'currency', 'recommendation', 'ad'];
const ACTIVE = ['pending', 'running', 'verifying', 'awaiting_approval'];

/** mulberry32: a small seeded generator, so a run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The pid of the shop process started for a host (`--host-name NAME` and
 * `--port PORT` on its command line: the port tells this lab's host from
 * another lab's of the same name).
 */
export function shopPid(host: string, port?: string): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('--host-name');
      const portAt = argv.indexOf('--port');
      const portMatches = port === undefined || (portAt >= 0 && argv[portAt + 1] === port);
      if (at >= 0 && argv[at + 1] === host && portMatches && argv.some((a) => a.endsWith('shopService.js'))) return Number(entry);
    } catch {
      // gone while we looked
    }
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The figures of one kind's parameters: what `prodeng lab break` would send. */
function paramsFor(kind: MixFaultKind, rnd: () => number): Record<string, unknown> {
  switch (kind) {
    case 'slow':
      return { ms: 1500 + Math.floor(rnd() * 4) * 500 }; // above the probe's 1 s timeout
    case 'errors':
      return { share: rnd() < 0.5 ? 0.5 : 1 };
    case 'leak':
      return { mbPerSecond: 20 };
    default:
      return {};
  }
}

export async function runFaultMix(o: FaultMixOptions): Promise<FaultMixResult> {
  const log = o.log ?? (() => undefined);
  const rnd = random(o.seed);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${o.baseUrl}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
  const get = async <T>(path: string): Promise<T> => (await api<T>('GET', path)).body;
  const endpoints = async (service: string) => (await get<{ endpoints: Endpoint[] }>(`/api/v1/services/${service}/endpoints`)).endpoints;

  const started = Date.now();
  // The plan: each kind perKind times, shuffled; one pair (two hosts of one service at once).
  const plan: MixFaultKind[] = mixFaultKinds.flatMap((k) => Array.from({ length: o.perKind }, () => k));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  // The pair takes two of one kind; the pause takes the middle of the plan.
  // (With perKind 1 the pair's kind is injected twice.)
  const pairKind = (['crash', 'hang', 'errors'] as const)[Math.floor(rnd() * 3)]!;
  for (let i = 0; i < 2; i++) {
    const at = plan.indexOf(pairKind);
    if (at >= 0) plan.splice(at, 1);
  }
  const steps: Array<{ kinds: MixFaultKind[]; pair: boolean }> = plan.map((k) => ({ kinds: [k], pair: false }));
  steps.splice(Math.max(1, Math.floor(steps.length / 4)), 0, { kinds: [pairKind, pairKind], pair: true });
  const pauseAt = Math.floor(steps.length / 2);

  const faults: FaultRecord[] = [];
  const broken = new Set<string>();
  const recent: Array<{ service: string; at: number }> = [];
  let paused = false;
  let pausedAt = 0;
  let pausedForMs = 0;

  const inject = async (kind: MixFaultKind, service: string, host: Endpoint, pair: boolean) => {
    const params = paramsFor(kind, rnd);
    const pid = shopPid(host.host, host.address.split(':').pop());
    const at = Date.now();
    const res = await api<Record<string, unknown>>('POST', '/api/v1/lab/break', { scenario: kind, service, host: host.host, ...params });
    broken.add(host.host);
    recent.push({ service, at });
    const record: FaultRecord = {
      n: faults.length + 1,
      kind,
      params,
      service,
      host: host.host,
      pid,
      at,
      pair,
      whilePaused: paused,
      outcome: 'neither',
      detail: res.status === 200 ? '' : `the break was refused: ${res.status} ${JSON.stringify(res.body)}`,
      alertAfterMs: null,
      healedAfterMs: null,
      incidentId: null,
    };
    faults.push(record);
    log(`#${record.n} ${kind}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''} on ${host.host} (${service})${pair ? ', one of a pair' : ''}${paused ? ', automation paused' : ''}: ${res.status}`);
  };

  /** A random service with `count` unbroken endpoints, preferring one no fault touched in the last 30 s. */
  const pick = async (count: number): Promise<{ service: string; hosts: Endpoint[] } | null> => {
    const order = [...SERVICES].sort(() => rnd() - 0.5);
    const quiet = (s: string) => !recent.some((r) => r.service === s && Date.now() - r.at < 30_000);
    for (const wantQuiet of [true, false]) {
      for (const service of order) {
        if (wantQuiet && !quiet(service)) continue;
        const free = (await endpoints(service)).filter((e) => !broken.has(e.host));
        if (free.length >= count) return { service, hosts: free.slice(0, count) };
      }
    }
    return null;
  };

  for (let i = 0; i < steps.length; i++) {
    if (i === pauseAt) {
      const r = await api('POST', '/api/v1/automation/pause', { reason: 'lab fault mix: pause in the middle' });
      paused = true;
      pausedAt = Date.now();
      log(`automation paused: ${r.status}`);
    }
    const step = steps[i]!;
    const target = await pick(step.kinds.length);
    if (!target) {
      log(`no service with ${step.kinds.length} unbroken healthy host(s) for ${step.kinds.join('+')}; skipped`);
    } else {
      await Promise.all(step.kinds.map((kind, k) => inject(kind, target.service, target.hosts[k]!, step.pair)));
    }
    if (paused && i >= pauseAt + o.duringPause - 1) {
      await sleep(Math.max(0, pausedAt + o.pauseMs - Date.now()));
      const r = await api('POST', '/api/v1/automation/resume', { reason: 'lab fault mix: resume' });
      paused = false;
      pausedForMs = Date.now() - pausedAt;
      log(`automation resumed after ${pausedForMs} ms: ${r.status}`);
    }
    if (i < steps.length - 1) await sleep(o.spacingMs);
  }
  if (paused) {
    await api('POST', '/api/v1/automation/resume', { reason: 'lab fault mix: resume' });
    pausedForMs = Date.now() - pausedAt;
  }
  const injectSeconds = (Date.now() - faults[0]!.at) / 1000;

  // Settle: until every fault is healed or handed over and no remediation is under way, or the deadline.
  const deadline = Date.now() + o.settleMs;
  let incidentsOpen = 0;
  for (;;) {
    const [alerts, remediations, incidents, hosts] = await Promise.all([
      get<{ alerts: AlertView[] }>('/api/v1/alerts?limit=1000&match[]=alertname%3D%22ProbeFailed%22').then((b) => b.alerts),
      get<{ remediations: RemediationView[] }>('/api/v1/remediations?limit=1000').then((b) => b.remediations),
      get<{ incidents: IncidentView[] }>('/api/v1/incidents').then((b) => b.incidents),
      get<{ hosts: HostView[] }>('/api/v1/hosts').then((b) => b.hosts),
    ]);
    const open = incidents.filter((x) => x.status === 'open' || x.status === 'acknowledged');
    incidentsOpen = open.length;
    for (const f of faults) classify(f, alerts, remediations, open, hosts);
    const active = remediations.filter((r) => ACTIVE.includes(r.status)).length;
    const pending = faults.filter((f) => f.outcome === 'neither').length;
    if ((pending === 0 && active === 0) || Date.now() > deadline) {
      log(`settled: ${faults.length - pending} of ${faults.length} healed or handed over, ${active} remediation(s) under way${Date.now() > deadline ? ' (deadline reached)' : ''}`);
      break;
    }
    await sleep(2000);
  }

  const byKind = Object.fromEntries(mixFaultKinds.map((k) => [k, { healed: 0, incident: 0, neither: 0 }])) as FaultMixResult['byKind'];
  for (const f of faults) byKind[f.kind][f.outcome]++;
  const count = (x: FaultOutcome) => faults.filter((f) => f.outcome === x).length;
  return { seed: o.seed, faults, byKind, healed: count('healed'), incident: count('incident'), neither: count('neither'), injectSeconds, seconds: (Date.now() - started) / 1000, pausedForMs, incidentsOpen };
}

/** Healed (a succeeded remediation for the host, the faulted process gone), handed over (an open incident holds it), or neither. */
function classify(f: FaultRecord, alerts: AlertView[], remediations: RemediationView[], open: IncidentView[], hosts: HostView[]): void {
  const since = f.at - 1000;
  const mine = alerts.filter((a) => a.labels.host === f.host && Date.parse(a.lastSeenAt) >= since);
  const alertIds = new Set(mine.map((a) => a.id));
  const firstAlert = Math.min(...mine.map((a) => Date.parse(a.startsAt)).filter((t) => t >= since));
  f.alertAfterMs = Number.isFinite(firstAlert) ? Math.max(0, firstAlert - f.at) : null;
  const rems = remediations
    .filter((r) => Date.parse(r.createdAt) >= since && (r.target === f.host || alertIds.has(r.alertId) || r.alertIds.some((id) => alertIds.has(id))))
    .sort((a, b) => a.id - b.id);
  const remIds = new Set(rems.map((r) => r.id));
  const host = hosts.find((h) => h.name === f.host);
  const processGone = f.pid === null ? null : !alive(f.pid);
  const story = [
    mine.length ? `alert ${mine.map((a) => `${a.id} ${a.status}`).join(', ')}` : 'no probe alert',
    rems.length ? `remediation ${rems.map((r) => `${r.id} ${r.status}${r.status === 'escalated' || r.status === 'failed' || r.status === 'skipped' ? ` (${r.reason})` : ''}`).join('; ')}` : 'no remediation',
    `host ${host ? host.state : 'unknown'}`,
    processGone === null ? 'process unknown' : processGone ? 'faulted process gone' : 'faulted process still running',
  ];
  const named = new RegExp(`(^|[^\\w-])${f.host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`);
  const succeeded = rems.find((r) => r.status === 'succeeded' && r.target === f.host);
  const incident = open.find((x) => x.alertIds.some((id) => alertIds.has(id)) || (x.remediationId !== null && remIds.has(x.remediationId)) || x.story.some((line) => named.test(line)));
  f.incidentId = incident?.id ?? null;
  if (succeeded && processGone !== false) {
    f.outcome = 'healed';
    f.healedAfterMs = succeeded.finishedAt ? Date.parse(succeeded.finishedAt) - f.at : null;
  } else if (incident) {
    f.outcome = 'incident';
    story.push(`incident ${incident.id}: ${incident.title}`);
  } else {
    f.outcome = 'neither';
  }
  f.detail = story.join('; ');
}
