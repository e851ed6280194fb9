import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, percentile, startProdeng } from './peers.js';

export interface LatencyFigures {
  /** background alerts per second the run asked for, and what intake accepted */
  backgroundTarget: number;
  backgroundAchieved: number;
  samples: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** how long the probe alerts themselves took to be accepted (context, not part of the figure) */
  intakeP50Ms: number;
  intakeP99Ms: number;
  seconds: number;
}

/** Receives the runbook's first action: an HTTP call naming the alert's instance. */
async function actionReceiver(seen: Map<string, number>): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const instance = decodeURIComponent(req.url?.split('/').pop() ?? '');
    if (!seen.has(instance)) seen.set(instance, performance.now());
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

async function post(url: string, alerts: unknown[]): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`intake answered ${res.status}`);
}

/**
 * Latency from an alert's 2xx to its remediation's first action starting,
 * while `backgroundPerSecond` other alerts arrive. prodeng runs as its own
 * process on embedded SQLite; the load, the probe alerts and the action's
 * receiver run here. The action is an `http` step calling the receiver, so
 * the figure includes starting that request, as any first action would.
 */
export async function remediationLatency(repoRoot: string, opts: { backgroundPerSecond: number; seconds: number; probesPerSecond: number }): Promise<LatencyFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-latency-'));
  const seen = new Map<string, number>();
  const receiver = await actionReceiver(seen);
  writeFileSync(
    join(dir, 'runbook.yaml'),
    `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: latency-probe }
spec:
  match: { alertname: LatencyProbe }
  target: "{{ labels.instance }}"
  steps:
    - name: first-action
      action: http
      with: { url: "http://127.0.0.1:${receiver.port}/started/{{ labels.instance }}", method: POST, retries: 0 }
`,
  );
  const prodeng = await startProdeng(repoRoot, join(dir, 'data'), ['--config', dir]);
  const intake = `${prodeng.url}/api/v2/alerts`;
  try {
    const accepted: number[] = [];
    const sent = new Map<string, number>();
    const intakeMs: number[] = [];
    let stop = false;
    // Background: batches of 100 distinct alerts (a pool of 20,000 sent over
    // and over, as Prometheus re-sends), paced to the target rate.
    const background = (async () => {
      const batch = 100;
      const started = performance.now();
      let posted = 0;
      const inFlight = new Set<Promise<void>>();
      while (!stop) {
        const due = Math.floor(((performance.now() - started) / 1000) * opts.backgroundPerSecond);
        while (posted + batch <= due && inFlight.size < 64) {
          const alerts = Array.from({ length: batch }, (_, i) => ({ labels: { alertname: 'Noise', instance: `n-${(posted + i) % 20_000}`, job: 'bench' } }));
          posted += batch;
          const p: Promise<void> = post(intake, alerts).then(() => void accepted.push(performance.now()));
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        await sleep(2);
      }
      await Promise.all(inFlight);
    })();
    await sleep(1000); // let the load settle before measuring
    const measureStart = performance.now();
    const probes: Promise<void>[] = [];
    const total = Math.round(opts.seconds * opts.probesPerSecond);
    for (let k = 0; k < total; k++) {
      const instance = `probe-${k}`;
      const t = performance.now();
      probes.push(
        post(intake, [{ labels: { alertname: 'LatencyProbe', instance } }]).then(() => {
          const now = performance.now();
          sent.set(instance, now);
          intakeMs.push(now - t);
        }),
      );
      await sleep(Math.max(0, measureStart + ((k + 1) * 1000) / opts.probesPerSecond - performance.now()));
    }
    await Promise.all(probes);
    const measureEnd = performance.now();
    stop = true;
    await background;
    const deadline = performance.now() + 10_000;
    while (seen.size < total && performance.now() < deadline) await sleep(50);
    const latencies = [...sent].flatMap(([instance, t]) => (seen.has(instance) ? [seen.get(instance)! - t] : [])).sort((a, b) => a - b);
    const inWindow = accepted.filter((t) => t >= measureStart && t <= measureEnd).length * 100;
    intakeMs.sort((a, b) => a - b);
    return {
      backgroundTarget: opts.backgroundPerSecond,
      backgroundAchieved: inWindow / ((measureEnd - measureStart) / 1000),
      samples: latencies.length,
      missing: total - latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1] ?? NaN,
      intakeP50Ms: percentile(intakeMs, 0.5),
      intakeP99Ms: percentile(intakeMs, 0.99),
      seconds: (measureEnd - measureStart) / 1000,
    };
  } finally {
    await prodeng.stop();
    receiver.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
