import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { alertmanagerBinary, peakRssBytes, percentile, startAlertmanager, startProdeng, type Target } from './peers.js';

export interface IntakeFigures {
  workload: 'storm' | 'steady';
  target: string;
  version: string;
  alerts: number;
  seconds: number;
  alertsPerSecond: number;
  p99BatchMs: number;
  peakRssMiB: number;
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

/** Posts the bodies with `senders` requests in flight; with `stopAfterMs`, starts no new request after that long. `posted` counts bodies answered. */
export async function drive(target: Target, bodies: string[], senders: number, stopAfterMs = Infinity): Promise<{ seconds: number; p99: number; posted: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
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

async function measure(target: Target, w: IntakeWorkload): Promise<IntakeFigures> {
  // A short warm-up so neither side is measured while JIT-compiling.
  await drive(target, batches({ ...w, alerts: 20 * w.batchSize }, 'warmup'), w.senders);
  const bodies = batches(w, `run-${Date.now()}`);
  const { seconds, p99 } = await drive(target, bodies, w.senders);
  return {
    workload: 'storm',
    target: target.name,
    version: target.version,
    alerts: w.alerts,
    seconds,
    alertsPerSecond: w.alerts / seconds,
    p99BatchMs: p99,
    peakRssMiB: peakRssBytes(target.pid) / 1024 / 1024,
  };
}

async function measureSteady(target: Target, w: IntakeWorkload): Promise<IntakeFigures> {
  const rounds = steadyRounds(w, `steady-${Date.now()}`);
  await drive(target, rounds[0]!, w.senders);
  const bodies = rounds.slice(1).flat();
  const { seconds, p99 } = await drive(target, bodies, w.senders);
  const alerts = w.steadyOpen * w.resends;
  return {
    workload: 'steady',
    target: target.name,
    version: target.version,
    alerts,
    seconds,
    alertsPerSecond: alerts / seconds,
    p99BatchMs: p99,
    peakRssMiB: peakRssBytes(target.pid) / 1024 / 1024,
  };
}

/** A fresh PostgreSQL database for one target, dropped afterwards. */
async function freshPostgres(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
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
 * `postgresUrl` is given) and Alertmanager, each target fresh for each
 * workload, one after the other in the same run.
 */
export async function intakeBench(repoRoot: string, w: IntakeWorkload, postgresUrl?: string): Promise<IntakeFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-bench-'));
  const figures: IntakeFigures[] = [];
  const binary = alertmanagerBinary();
  if (!binary) throw new Error('Alertmanager is not installed (apt-get install prometheus-alertmanager); the benchmark compares against it');
  try {
    for (const [n, run] of [measure, measureSteady].entries()) {
      const sqlite = await startProdeng(repoRoot, join(dir, `prodeng-data-${n}`));
      try {
        figures.push(await run(sqlite, w));
      } finally {
        await sqlite.stop();
      }
      if (postgresUrl) {
        const db = await freshPostgres(postgresUrl);
        try {
          const onPg = await startProdeng(repoRoot, join(dir, `prodeng-pg-${n}`), [], { databaseUrl: db.url, name: 'prodeng (PostgreSQL)' });
          try {
            figures.push(await run(onPg, w));
          } finally {
            await onPg.stop();
          }
        } finally {
          await db.drop();
        }
      }
      mkdirSync(join(dir, `am-${n}`));
      const am = await startAlertmanager(binary, join(dir, `am-${n}`));
      try {
        figures.push(await run(am, w));
      } finally {
        await am.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
