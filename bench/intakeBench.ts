import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { alertmanagerBinary, cpuSeconds, peakRssBytes, percentile, startAlertmanager, startProdeng, type Target } from './peers.js';

export interface IntakeFigures {
  workload: 'storm' | 'steady';
  target: string;
  version: string;
  alerts: number;
  seconds: number;
  alertsPerSecond: number;
  p99BatchMs: number;
  peakRssMiB: number;
  /** CPU of the prodeng (or Alertmanager) processes per alert, utime + stime */
  serverCpuUsPerAlert: number;
  /** CPU of the benchmark's own senders per alert (they share the machine) */
  senderCpuUsPerAlert: number;
  /** CPU of the PostgreSQL server's processes per alert, when the target uses it */
  databaseCpuUsPerAlert?: number;
  /** steady state: alert_events rows before and after the measured re-sends */
  historyRows?: { before: number; after: number };
  /** steady state: bytes the store holds for the open alerts, per alert (tables and indexes) */
  storeBytesPerAlert?: number;
}

/** What the benchmark can ask of a target's store. */
interface StoreProbe {
  historyRows(): Promise<number>;
  bytesPerAlert(alerts: number): Promise<number>;
  /** CPU seconds of the database server so far (PostgreSQL's processes), if it has its own */
  cpuSeconds?(): number;
  close(): Promise<void>;
}

interface Setup {
  start(): Promise<Target[]>;
  store?(): Promise<StoreProbe>;
}

export interface StormWorkload {
  alerts: number;
  batchSize: number;
  senders: number;
}

export interface IntakeWorkload extends StormWorkload {
  /** steady state: this many open alerts, re-sent `resends` times */
  steadyOpen: number;
  resends: number;
}

/**
 * Prometheus' steady state: the same open alerts sent again every resend
 * delay, each time with an endsAt further ahead and nothing else changed.
 * Round 0 opens them (not measured); rounds 1..resends are the re-sends.
 */
export function steadyRounds(w: IntakeWorkload, runId: string): string[][] {
  const startsAt = new Date().toISOString();
  const rounds: string[][] = [];
  for (let r = 0; r <= w.resends; r++) {
    const endsAt = new Date(Date.now() + (r + 4) * 60_000).toISOString();
    const bodies: string[] = [];
    for (let b = 0; b < w.steadyOpen / w.batchSize; b++) {
      const alerts = [];
      for (let i = 0; i < w.batchSize; i++) {
        const n = b * w.batchSize + i;
        alerts.push({
          labels: { alertname: 'BenchAlert', instance: `host-${n}:9100`, job: 'bench', severity: 'warning', run: runId },
          annotations: { summary: `bench alert ${n}` },
          startsAt,
          endsAt,
          generatorURL: 'http://prometheus.example/graph',
        });
      }
      bodies.push(JSON.stringify(alerts));
    }
    rounds.push(bodies);
  }
  return rounds;
}

/** Distinct alerts, as Prometheus posts them, the same bodies for every target. */
export function batches(w: StormWorkload, runId: string): string[] {
  const out: string[] = [];
  const startsAt = new Date().toISOString();
  for (let b = 0; b < w.alerts / w.batchSize; b++) {
    const alerts = [];
    for (let i = 0; i < w.batchSize; i++) {
      const n = b * w.batchSize + i;
      alerts.push({
        labels: { alertname: 'BenchAlert', instance: `host-${n}:9100`, job: 'bench', severity: 'warning', run: runId },
        annotations: { summary: `bench alert ${n}` },
        startsAt,
        generatorURL: 'http://prometheus.example/graph',
      });
    }
    out.push(JSON.stringify(alerts));
  }
  return out;
}

/**
 * Posts the bodies with `senders` requests in flight; with `stopAfterMs`,
 * starts no new request after that long. `posted` counts bodies answered.
 * With several targets (replicas behind one load balancer), each sender
 * keeps to one of them, round robin.
 */
export async function drive(targets: Target | Target[], bodies: string[], senders: number, stopAfterMs = Infinity): Promise<{ seconds: number; p99: number; posted: number }> {
  const list = Array.isArray(targets) ? targets : [targets];
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      const target = list[sender % list.length]!;
      for (;;) {
        if (performance.now() - started >= stopAfterMs) return;
        const i = next++;
        if (i >= bodies.length) return;
        const t0 = performance.now();
        const res = await fetch(`${target.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i] });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${target.name} answered ${res.status} to batch ${i}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, p99: percentile(latencies, 0.99), posted: latencies.length };
}

const totalCpu = (targets: Target[]) => targets.reduce((sum, t) => sum + cpuSeconds(t.pid), 0);
const peakRss = (targets: Target[]) => Math.max(...targets.map((t) => peakRssBytes(t.pid))) / 1024 / 1024;

async function measure(targets: Target[], w: IntakeWorkload, store?: StoreProbe): Promise<IntakeFigures> {
  // A short warm-up so neither side is measured while JIT-compiling.
  await drive(targets, batches({ ...w, alerts: 20 * w.batchSize }, 'warmup'), w.senders);
  const bodies = batches(w, `run-${Date.now()}`);
  const cpu0 = totalCpu(targets);
  const db0 = store?.cpuSeconds?.();
  const senders0 = process.cpuUsage();
  const { seconds, p99 } = await drive(targets, bodies, w.senders);
  const senders = process.cpuUsage(senders0);
  return {
    workload: 'storm',
    target: targets[0]!.name,
    version: targets[0]!.version,
    alerts: w.alerts,
    seconds,
    alertsPerSecond: w.alerts / seconds,
    p99BatchMs: p99,
    peakRssMiB: peakRss(targets),
    serverCpuUsPerAlert: ((totalCpu(targets) - cpu0) * 1e6) / w.alerts,
    senderCpuUsPerAlert: (senders.user + senders.system) / w.alerts,
    ...(db0 !== undefined ? { databaseCpuUsPerAlert: ((store!.cpuSeconds!() - db0) * 1e6) / w.alerts } : {}),
  };
}

async function measureSteady(targets: Target[], w: IntakeWorkload, store?: StoreProbe): Promise<IntakeFigures> {
  const rounds = steadyRounds(w, `steady-${Date.now()}`);
  await drive(targets, rounds[0]!, w.senders);
  const bodies = rounds.slice(1).flat();
  const before = await store?.historyRows();
  const cpu0 = totalCpu(targets);
  const db0 = store?.cpuSeconds?.();
  const senders0 = process.cpuUsage();
  const { seconds, p99 } = await drive(targets, bodies, w.senders);
  const senders = process.cpuUsage(senders0);
  const alerts = w.steadyOpen * w.resends;
  const serverCpuUsPerAlert = ((totalCpu(targets) - cpu0) * 1e6) / alerts;
  const databaseCpuUsPerAlert = db0 !== undefined ? ((store!.cpuSeconds!() - db0) * 1e6) / alerts : undefined;
  return {
    workload: 'steady',
    target: targets[0]!.name,
    version: targets[0]!.version,
    alerts,
    seconds,
    alertsPerSecond: alerts / seconds,
    p99BatchMs: p99,
    peakRssMiB: peakRss(targets),
    serverCpuUsPerAlert,
    senderCpuUsPerAlert: (senders.user + senders.system) / alerts,
    ...(databaseCpuUsPerAlert !== undefined ? { databaseCpuUsPerAlert } : {}),
    ...(store && before !== undefined ? { historyRows: { before, after: await store.historyRows() }, storeBytesPerAlert: await store.bytesPerAlert(w.steadyOpen) } : {}),
  };
}

/** CPU seconds of every PostgreSQL server process on this machine (the benchmark's database runs here). */
export function postgresCpuSeconds(): number {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') sum += cpuSeconds(Number(pid));
    } catch {
      // the process ended between listing and reading
    }
  }
  return sum;
}

function sqliteProbe(dataDir: string): StoreProbe {
  const db = new Database(join(dataDir, 'prodeng.db'), { readonly: true });
  return {
    historyRows: async () => (db.prepare('select count(*) as n from alert_events').get() as { n: number }).n,
    // dbstat is not in every build; the file's pages are what the store holds.
    bytesPerAlert: async (alerts) => {
      const { pages, size } = db.prepare('select page_count as pages, (select page_size from pragma_page_size) as size from pragma_page_count').get() as { pages: number; size: number };
      return (pages * size) / alerts;
    },
    close: async () => {
      db.close();
    },
  };
}

async function postgresProbe(url: string): Promise<StoreProbe> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    historyRows: async () => Number((await client.query('select count(*) as n from alert_events')).rows[0].n),
    bytesPerAlert: async (alerts) => {
      await client.query('vacuum analyze alerts');
      const r = await client.query(`select pg_total_relation_size('alerts') + pg_total_relation_size('alert_events') as bytes`);
      return Number(r.rows[0].bytes) / alerts;
    },
    cpuSeconds: postgresCpuSeconds,
    close: () => client.end(),
  };
}

/** A fresh PostgreSQL database for one target, dropped afterwards. */
export async function freshPostgres(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `prodeng_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Both workloads against prodeng on SQLite, prodeng on PostgreSQL (when
 * `postgresUrl` is given) with one replica and with two behind the same
 * senders, and Alertmanager, each target fresh for each workload, one after
 * the other in the same run.
 */
export async function intakeBench(repoRoot: string, w: IntakeWorkload, postgresUrl?: string): Promise<IntakeFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-bench-'));
  const figures: IntakeFigures[] = [];
  const binary = alertmanagerBinary();
  if (!binary) throw new Error('Alertmanager is not installed (apt-get install prometheus-alertmanager); the benchmark compares against it');
  const onPostgres = (replicas: number, n: number) => {
    let db: Awaited<ReturnType<typeof freshPostgres>> | undefined;
    const name = replicas === 1 ? 'prodeng (PostgreSQL)' : `prodeng (PostgreSQL, ${replicas} replicas)`;
    return {
      async start() {
        db = await freshPostgres(postgresUrl!);
        const targets: Target[] = [];
        for (let r = 0; r < replicas; r++) targets.push(await startProdeng(repoRoot, join(dir, `prodeng-pg-${replicas}-${n}-${r}`), [], { databaseUrl: db.url, name }));
        return targets;
      },
      store: () => postgresProbe(db!.url),
      drop: async () => {
        await db?.drop();
      },
    };
  };
  try {
    for (const [n, run] of [measure, measureSteady].entries()) {
      const setups: Array<Setup & { drop?(): Promise<void> }> = [
        { start: async () => [await startProdeng(repoRoot, join(dir, `prodeng-data-${n}`))], store: async () => sqliteProbe(join(dir, `prodeng-data-${n}`)) },
        ...(postgresUrl ? [onPostgres(1, n), onPostgres(2, n)] : []),
        {
          async start() {
            mkdirSync(join(dir, `am-${n}`));
            return [await startAlertmanager(binary, join(dir, `am-${n}`))];
          },
        },
      ];
      for (const setup of setups) {
        const targets = await setup.start();
        const store = await setup.store?.();
        try {
          figures.push(await run(targets, w, store));
        } finally {
          await store?.close();
          for (const t of targets) await t.stop();
          await setup.drop?.();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
