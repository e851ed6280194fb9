import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds, metric, startProdeng, type Target } from './peers.js';

export interface ProbeOverheadFigures {
  targets: number;
  intervalMs: number;
  seconds: number;
  checksPerSecond: number;
  missedDeadlines: number;
  /** CPU of the prodeng process as a share of one core, with the probes and without them */
  cpuShare: number;
  idleCpuShare: number;
}

/** Health endpoints for the probed hosts: a handful of ports in this process, shared round-robin. */
async function healthServers(count: number): Promise<{ servers: Server[]; addresses: string[] }> {
  const servers: Server[] = [];
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    addresses.push(`127.0.0.1:${(server.address() as { port: number }).port}`);
  }
  return { servers, addresses };
}

async function measure(prodeng: Target, seconds: number): Promise<{ cpuShare: number; checks: number; missed: number; wall: number }> {
  const cpu0 = cpuSeconds(prodeng.pid);
  const checks0 = await metric(prodeng.url, 'prodeng_probe_checks_total');
  const missed0 = await metric(prodeng.url, 'prodeng_probe_missed_deadlines_total');
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  return {
    cpuShare: (cpuSeconds(prodeng.pid) - cpu0) / wall,
    checks: (await metric(prodeng.url, 'prodeng_probe_checks_total')) - checks0,
    missed: (await metric(prodeng.url, 'prodeng_probe_missed_deadlines_total')) - missed0,
    wall,
  };
}

/**
 * 5,000 hosts with an HTTP probe every 10 s (500 checks/s), results kept in
 * SQLite. Measures the prodeng process's CPU over a minute once every target
 * is scheduled, against the same fleet with no Probe, and counts checks that
 * started late.
 */
export async function probeOverhead(repoRoot: string, opts: { targets: number; intervalMs: number; seconds: number }): Promise<ProbeOverheadFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-probes-'));
  const { servers, addresses } = await healthServers(50);
  const hosts = Array.from({ length: opts.targets }, (_, i) => `apiVersion: prodeng/v1\nkind: Host\nmetadata: { name: h-${i} }\nspec: { address: "${addresses[i % addresses.length]}", labels: { bench: probes } }\n`);
  const probe = `apiVersion: prodeng/v1
kind: Probe
metadata: { name: health }
spec:
  hosts: { labels: { bench: probes } }
  http: { path: /healthz }
  interval: ${opts.intervalMs}ms
  timeout: 2s
`;
  try {
    writeFileSync(join(dir, 'fleet.yaml'), hosts.join('---\n'));
    const idle = await startProdeng(repoRoot, join(dir, 'idle-data'), ['--config', dir]);
    await sleep(5000);
    const idleRun = await measure(idle, 15);
    await idle.stop();

    writeFileSync(join(dir, 'probe.yaml'), probe);
    const prodeng = await startProdeng(repoRoot, join(dir, 'data'), ['--config', dir]);
    // Every target's first check falls within the first interval.
    await sleep(opts.intervalMs + 3000);
    const run = await measure(prodeng, opts.seconds);
    await prodeng.stop();
    return {
      targets: opts.targets,
      intervalMs: opts.intervalMs,
      seconds: run.wall,
      checksPerSecond: run.checks / run.wall,
      missedDeadlines: run.missed,
      cpuShare: run.cpuShare,
      idleCpuShare: idleRun.cpuShare,
    };
  } finally {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
