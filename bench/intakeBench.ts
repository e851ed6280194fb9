import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerBinary, peakRssBytes, percentile, startAlertmanager, startProdeng, type Target } from './peers.js';

export interface IntakeFigures {
  target: string;
  version: string;
  alerts: number;
  seconds: number;
  alertsPerSecond: number;
  p99BatchMs: number;
  peakRssMiB: number;
}

export interface IntakeWorkload {
  alerts: number;
  batchSize: number;
  senders: number;
}

/** Distinct alerts, as Prometheus posts them, the same bodies for every target. */
export function batches(w: IntakeWorkload, runId: string): string[] {
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
    target: target.name,
    version: target.version,
    alerts: w.alerts,
    seconds,
    alertsPerSecond: w.alerts / seconds,
    p99BatchMs: p99,
    peakRssMiB: peakRssBytes(target.pid) / 1024 / 1024,
  };
}

export async function intakeBench(repoRoot: string, w: IntakeWorkload): Promise<IntakeFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-bench-'));
  const figures: IntakeFigures[] = [];
  try {
    const prodeng = await startProdeng(repoRoot, join(dir, 'prodeng-data'));
    try {
      figures.push(await measure(prodeng, w));
    } finally {
      await prodeng.stop();
    }
    const binary = alertmanagerBinary();
    if (!binary) throw new Error('Alertmanager is not installed (apt-get install prometheus-alertmanager); the benchmark compares against it');
    const am = await startAlertmanager(binary, dir);
    try {
      figures.push(await measure(am, w));
    } finally {
      await am.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
