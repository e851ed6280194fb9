import type { Logger } from 'pino';
import type { AlertEvent } from '../intake/alertEvent.js';
import { labelSetFingerprint } from '../intake/fingerprint.js';
import { bulkInsert } from '../store/bulkInsert.js';
import type { Clock } from '../store/clock.js';
import type { HostRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { runProbeCheck, type ProbeOutcome } from './probeCheck.js';
import type { ProbeDoc } from './probeKind.js';

interface ProbedHost {
  name: string;
  address: string;
  service: string | null;
  cluster: string | null;
  pool: string | null;
  labels: Record<string, string>;
}

interface Target {
  probe: ProbeDoc;
  host: ProbedHost;
  nextAt: number;
  failures: number;
  successes: number;
  firing: boolean;
  running: boolean;
  /** no longer probed (its host left service); dropped when it comes due */
  removed: boolean;
  /** what was last written to probe_targets, to write only changes */
  saved: string;
}

/** Targets by when they are due next: each tick looks only at what is due, not at every target. */
class DueQueue {
  private heap: Target[] = [];
  get size() {
    return this.heap.length;
  }
  peek(): Target | undefined {
    return this.heap[0];
  }
  push(t: Target): void {
    const h = this.heap;
    h.push(t);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.nextAt <= h[i]!.nextAt) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }
  pop(): Target | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.nextAt < h[m]!.nextAt) m = l;
        if (r < h.length && h[r]!.nextAt < h[m]!.nextAt) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.heap = [];
  }
}

export interface ProbeStats {
  checks: number;
  /** checks that started more than a tenth of their interval (at least 1 s) late */
  missedDeadlines: number;
  targets: number;
}

export interface ProbeSchedulerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  probes: ProbeDoc[];
  /** hands alert events to intake (the same path as the API, so remediation hears them) */
  commit(events: AlertEvent[]): Promise<unknown>;
  /** probes run on the leader only, so each host is checked once however many replicas run */
  isLeader(): boolean;
  /** checks in flight at once */
  concurrency?: number;
}

const key = (probe: string, host: string) => `${probe}\u0000${host}`;

function selects(probe: ProbeDoc, h: HostRow): boolean {
  const sel = probe.spec.hosts;
  if (sel.pool !== undefined && h.pool !== sel.pool) return false;
  if (sel.service !== undefined && h.service !== sel.service) return false;
  if (sel.labels) {
    const labels = JSON.parse(h.labels) as Record<string, string>;
    for (const [k, v] of Object.entries(sel.labels)) if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  return true;
}

/**
 * Runs every Probe against the in-service hosts it selects, each on its own
 * interval (spread so they do not all fire at once). A target fires an
 * alert (source `probe`) after failureThreshold failures in a row and
 * resolves after successThreshold successes, or when its host leaves
 * service. Every result is kept in probe_results, the time series reports
 * and SLOs read.
 */
export class ProbeScheduler {
  private targets = new Map<string, Target>();
  private due = new DueQueue();
  /** targets whose state changed since the last write */
  private dirty = new Set<Target>();
  private loaded = false;
  private lastRefresh = -Infinity;
  private results: Array<[string, string, string | null, number, number, string, number]> = [];
  private events: AlertEvent[] = [];
  private inFlight = new Set<Promise<void>>();
  readonly stats: ProbeStats = { checks: 0, missedDeadlines: 0, targets: 0 };

  constructor(private opts: ProbeSchedulerOptions) {}

  /** One tick: refresh targets (each second), start due checks, write what finished. */
  async tick(): Promise<void> {
    if (this.opts.probes.length === 0) return;
    if (!this.opts.isLeader()) {
      this.loaded = false;
      return;
    }
    const now = this.opts.clock.now();
    if (!this.loaded) await this.loadSavedState();
    if (now - this.lastRefresh >= 1000 && (await this.fleetChanged(now))) await this.refreshTargets(now);
    this.startDueChecks(now);
    await this.flush();
  }

  /** Everything due now, run to the end and written: what tests call after moving the clock. */
  async runOnce(): Promise<void> {
    this.lastRefresh = -Infinity;
    this.fleetVersion = '';
    await this.tick();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.flush(true);
  }

  private async loadSavedState(): Promise<void> {
    const rows = await this.opts.store.db.selectFrom('probe_targets').selectAll().execute();
    for (const t of this.targets.values()) t.removed = true;
    this.targets.clear();
    this.due.clear();
    this.saved = new Map(rows.map((r) => [key(r.probe, r.host), r]));
    this.loaded = true;
    this.lastRefresh = -Infinity;
  }

  private saved = new Map<string, { consecutive_failures: number; consecutive_successes: number; firing: number; next_at: number }>();

  private fleetVersion = '';
  private lastFullRefresh = -Infinity;

  /** Whether any host changed since the last refresh (one cheap query a second instead of reading every host); at least every 30 s regardless. */
  private async fleetChanged(now: number): Promise<boolean> {
    const row = await this.opts.store.db
      .selectFrom('hosts')
      .select(({ fn }) => [fn.countAll<number>().as('n'), fn.max('updated_at').as('latest')])
      .executeTakeFirstOrThrow();
    const version = `${row.n}/${row.latest}`;
    if (version !== this.fleetVersion || now - this.lastFullRefresh >= 30_000) {
      this.fleetVersion = version;
      this.lastFullRefresh = now;
      return true;
    }
    this.lastRefresh = now;
    return false;
  }

  private async refreshTargets(now: number): Promise<void> {
    this.lastRefresh = now;
    const hosts = await this.opts.store.db.selectFrom('hosts').selectAll().where('state', '=', 'in_service').where('address', 'is not', null).execute();
    const seen = new Set<string>();
    for (const probe of this.opts.probes) {
      for (const h of hosts) {
        if (!selects(probe, h)) continue;
        const k = key(probe.name, h.name);
        seen.add(k);
        const existing = this.targets.get(k);
        const host = { name: h.name, address: h.address!, service: h.service, cluster: h.cluster, pool: h.pool, labels: JSON.parse(h.labels) as Record<string, string> };
        if (existing) {
          existing.host = host;
          continue;
        }
        const saved = this.saved.get(k);
        // Spread first checks over the interval so thousands of targets do not start together.
        const offset = Math.floor(Math.random() * probe.spec.interval);
        const target: Target = {
          probe,
          host,
          nextAt: saved ? Math.max(saved.next_at, now) : now + offset,
          failures: saved?.consecutive_failures ?? 0,
          successes: saved?.consecutive_successes ?? 0,
          firing: saved?.firing === 1,
          running: false,
          removed: false,
          saved: saved ? `${saved.firing}/${saved.consecutive_failures}/${saved.consecutive_successes}` : '',
        };
        this.targets.set(k, target);
        this.due.push(target);
      }
    }
    // A host that left service is no longer probed; an alert it had resolves.
    for (const [k, t] of this.targets) {
      if (seen.has(k)) continue;
      this.targets.delete(k);
      t.removed = true;
      this.dirty.delete(t);
      if (t.firing) this.events.push(this.alertEvent(t, 'resolved', `${t.host.name} left service; no longer probed`));
      await this.opts.store.db.deleteFrom('probe_targets').where('probe', '=', t.probe.name).where('host', '=', t.host.name).execute();
    }
    for (const [k, s] of this.saved) {
      if (seen.has(k)) continue;
      const [probe, host] = k.split('\u0000') as [string, string];
      if (s.firing === 1) {
        const doc = this.opts.probes.find((p) => p.name === probe);
        if (doc) this.events.push(this.alertEvent({ probe: doc, host: { name: host, address: '', service: null, cluster: null, pool: null, labels: {} } } as Target, 'resolved', `${host} is no longer probed`));
      }
      await this.opts.store.db.deleteFrom('probe_targets').where('probe', '=', probe).where('host', '=', host).execute();
    }
    this.saved.clear();
    this.stats.targets = this.targets.size;
  }

  private startDueChecks(now: number): void {
    const limit = this.opts.concurrency ?? 256;
    while (this.inFlight.size < limit && (this.due.peek()?.nextAt ?? Infinity) <= now) {
      const t = this.due.pop()!;
      if (t.removed) continue;
      const interval = t.probe.spec.interval;
      const late = now - t.nextAt;
      t.nextAt = late >= interval ? now + interval : t.nextAt + interval;
      this.due.push(t);
      // Still waiting on its last check (slower than its interval): this round is skipped.
      if (t.running) continue;
      if (late > Math.max(1000, interval / 10)) this.stats.missedDeadlines++;
      t.running = true;
      const check: Promise<void> = runProbeCheck(t.probe.spec, t.host)
        .then((outcome) => this.record(t, outcome))
        .catch((err: Error) => this.record(t, { ok: false, latencyMs: 0, detail: `probe failed to run: ${err.message}` }))
        .finally(() => {
          t.running = false;
          this.inFlight.delete(check);
        });
      this.inFlight.add(check);
    }
  }

  private record(t: Target, outcome: ProbeOutcome): void {
    if (t.removed) return;
    const now = this.opts.clock.now();
    this.dirty.add(t);
    this.stats.checks++;
    this.results.push([t.probe.name, t.host.name, t.host.service, outcome.ok ? 1 : 0, Math.round(outcome.latencyMs * 10) / 10, outcome.detail, now]);
    const spec = t.probe.spec;
    if (outcome.ok) {
      t.failures = 0;
      t.successes = Math.min(t.successes + 1, spec.successThreshold);
      if (t.firing && t.successes >= spec.successThreshold) {
        t.firing = false;
        this.events.push(this.alertEvent(t, 'resolved', outcome.detail));
      }
    } else {
      t.successes = 0;
      t.failures = Math.min(t.failures + 1, spec.failureThreshold);
      if (!t.firing && t.failures >= spec.failureThreshold) {
        t.firing = true;
        this.events.push(this.alertEvent(t, 'firing', outcome.detail));
      }
    }
  }

  private alertEvent(t: Pick<Target, 'probe' | 'host'>, action: 'firing' | 'resolved', detail: string): AlertEvent {
    const spec = t.probe.spec;
    const labels: Record<string, string> = { alertname: spec.alertname, probe: t.probe.name, host: t.host.name, ...spec.labels };
    if (t.host.address) labels.instance = t.host.address;
    if (t.host.service) labels.service = t.host.service;
    if (t.host.cluster) labels.cluster = t.host.cluster;
    if (t.host.pool) labels.pool = t.host.pool;
    const summary = action === 'firing' ? `${t.host.name} fails probe ${t.probe.name} ${spec.failureThreshold} time(s) in a row: ${detail}` : `${t.host.name} passes probe ${t.probe.name}: ${detail}`;
    return {
      source: 'probe',
      action,
      fingerprint: labelSetFingerprint(labels),
      labels,
      annotations: { summary, detail },
      summary,
      severity: spec.severity,
      service: t.host.service,
      host: t.host.name,
      dedupKey: null,
      generatorUrl: null,
      startsAt: null,
      endsAt: null,
      endsAtFromTimeout: false,
      payload: { probe: t.probe.name, host: t.host.name, detail },
    };
  }

  private lastResultsFlush = -Infinity;

  /** Writes finished results, changed target states and alert events. */
  private async flush(force = false): Promise<void> {
    const db = this.opts.store.db;
    // Results are written about once a second, in one transaction: at
    // hundreds of checks a second, fewer and larger writes cost far less.
    const now = this.opts.clock.now();
    if (this.results.length > 0 && (force || this.results.length >= 2000 || now - this.lastResultsFlush >= 1000)) {
      const rows = this.results;
      this.results = [];
      this.lastResultsFlush = now;
      await db.transaction().execute((tx) => bulkInsert(tx, this.opts.store.dialect, 'probe_results', ['probe', 'host', 'service', 'ok', 'latency_ms', 'detail', 'at'], rows));
    }
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const t of dirty) {
      const state = `${t.firing ? 1 : 0}/${t.failures}/${t.successes}`;
      if (state === t.saved) continue;
      t.saved = state;
      const values = { consecutive_failures: t.failures, consecutive_successes: t.successes, firing: t.firing ? 1 : 0, last_at: this.opts.clock.now(), next_at: t.nextAt };
      await db
        .insertInto('probe_targets')
        .values({ probe: t.probe.name, host: t.host.name, ...values })
        .onConflict((oc) => oc.columns(['probe', 'host']).doUpdateSet(values))
        .execute();
    }
    if (this.events.length > 0) {
      let events = this.events;
      this.events = [];
      // A host taken out of service between refreshes fails its checks on
      // the way out; that is not news, and its target goes at the next refresh.
      const firingHosts = [...new Set(events.filter((e) => e.action === 'firing').map((e) => e.host!))];
      if (firingHosts.length > 0) {
        const serving = new Set((await db.selectFrom('hosts').select('name').where('name', 'in', firingHosts).where('state', '=', 'in_service').execute()).map((r) => r.name));
        events = events.filter((e) => e.action !== 'firing' || serving.has(e.host!));
        for (const t of this.targets.values()) if (t.firing && !serving.has(t.host.name) && firingHosts.includes(t.host.name)) t.firing = false;
      }
      if (events.length > 0) await this.opts.commit(events);
    }
  }
}
