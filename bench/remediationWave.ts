import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../src/server.js';

export interface WaveFigures {
  hosts: number;
  clusters: number;
  failing: number;
  allowedPerCluster: number;
  acted: number;
  blocked: number;
  stormIncidents: number;
  gateViolations: number;
  seconds: number;
}

/**
 * A failure wave: `hosts` hosts in `clusters` clusters, `failingShare` of
 * them failing at once, a runbook with a no-op step and maxUnhealthy per
 * cluster. Measures the time from the alerts' 2xx until no remediation is
 * left pending or running, and counts clusters where more targets were acted
 * on than allowed (must be 0).
 */
export async function remediationWave(opts: { hosts: number; clusters: number; failingShare: number; maxPerCluster: number }): Promise<WaveFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-wave-'));
  const perCluster = opts.hosts / opts.clusters;
  const docs: string[] = [];
  for (let i = 0; i < opts.hosts; i++) {
    docs.push(`apiVersion: prodeng/v1\nkind: Host\nmetadata: { name: h-${i} }\nspec: { address: "10.${Math.floor(i / 250)}.${i % 250}.1:9100", cluster: c-${Math.floor(i / perCluster)} }\n`);
  }
  docs.push(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: wave-repair }
spec:
  match: { alertname: HostDown }
  target: "{{ labels.instance }}"
  steps: [{ name: noop, action: wait, with: { duration: 1ms } }]
  safety: { maxUnhealthy: { per: cluster, max: ${opts.maxPerCluster} } }
`);
  writeFileSync(join(dir, 'fleet.yaml'), docs.join('---\n'));
  const server = await startServer({
    configDir: dir,
    dataDir: join(dir, 'data'),
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    remediationIntervalMs: 5,
  });
  try {
    const failingPerCluster = Math.round(perCluster * opts.failingShare);
    const alerts = [];
    for (let c = 0; c < opts.clusters; c++) {
      for (let k = 0; k < failingPerCluster; k++) alerts.push({ labels: { alertname: 'HostDown', instance: `h-${c * perCluster + k}`, cluster: `c-${c}` } });
    }
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (!res.ok) throw new Error(`intake answered ${res.status}`);
    for (;;) {
      const open = await server.store.db
        .selectFrom('remediations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'running', 'verifying', 'awaiting_approval'])
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = await server.store.db.selectFrom('remediations').select(['scope', 'status', 'started_at']).execute();
    const actedPerScope = new Map<string, number>();
    for (const r of rows) if (r.started_at !== null) actedPerScope.set(r.scope ?? '', (actedPerScope.get(r.scope ?? '') ?? 0) + 1);
    const incidents = await server.store.db.selectFrom('incidents').select('title').execute();
    return {
      hosts: opts.hosts,
      clusters: opts.clusters,
      failing: alerts.length,
      allowedPerCluster: opts.maxPerCluster,
      acted: rows.filter((r) => r.started_at !== null).length,
      blocked: rows.filter((r) => r.status === 'skipped').length,
      stormIncidents: incidents.filter((i) => i.title.startsWith('too many unhealthy')).length,
      gateViolations: [...actedPerScope.values()].filter((n) => n > opts.maxPerCluster).length,
      seconds,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
