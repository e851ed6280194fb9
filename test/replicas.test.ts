import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { runRemediationWork } from '../src/remediation/executor.js';
import { systemClock } from '../src/store/clock.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from './support/testDatabases.js';
import { describe } from 'vitest';

describe.skipIf(!postgresUrl)('several replicas on one PostgreSQL database [postgres]', () => {
  let db: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await db?.cleanup();
  });

  it('keep one open alert per fingerprint when both take the same alert at once', async () => {
    db = await createTestDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startServer({ ...db.options, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock: systemClock, logger: pino({ level: 'silent' }) }),
      );
    }
    const post = (server: RunningServer, n: number) =>
      fetch(`${server.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'Shared', instance: 'db-1' } }, { labels: { alertname: 'Own', replica: String(n % 2) } }]),
      }).then((r) => r.status);
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, n) => post(servers[n % 2]!, n)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const res = await fetch(`${servers[0]!.url}/api/v1/alerts?limit=100`);
    const alerts = ((await res.json()) as any).alerts as any[];
    const shared = alerts.filter((a) => a.labels.alertname === 'Shared');
    expect(shared).toHaveLength(1);
    expect(shared[0].occurrences).toBe(40);
    expect(alerts.filter((a) => a.labels.alertname === 'Own')).toHaveLength(2);
  });
});

describe.skipIf(!postgresUrl)('several replicas share the remediation gates [postgres]', () => {
  let db: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await db?.cleanup();
  });

  it('never act on more targets in a scope than maxUnhealthy allows, however their workers interleave', async () => {
    db = await createTestDatabase('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-replicas-'));
    writeFileSync(
      join(dir, 'runbook.yaml'),
      `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: node-repair }
spec:
  match: { alertname: NodeDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  verify: { alertResolvedWithin: 10m }
  safety: { maxUnhealthy: { per: cluster, max: 3 } }
`,
    );
    for (let i = 0; i < 3; i++) {
      servers.push(
        await startServer({ ...db.options, configDir: dir, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock: systemClock, logger: pino({ level: 'silent' }) }),
      );
    }
    await fetch(`${servers[0]!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ labels: { alertname: 'NodeDown', instance: `n-${i}`, cluster: 'c1' } }))),
    });
    // Thirty workers at once, one remediation each, as thirty replicas would
    // be: their gate checks run side by side.
    const store = servers[0]!.store;
    const workers = Array.from({ length: 30 }, (_, n) =>
      runRemediationWork({ store, clock: systemClock, logger: pino({ level: 'silent' }), dryRun: false, owner: `worker-${n}`, scopeSize: () => null, claimLimit: 1 }),
    );
    await Promise.all(workers);
    for (let round = 0; round < 3; round++) await Promise.all(servers.map((s) => s.remediation.runOnce()));
    const res = await fetch(`${servers[0]!.url}/api/v1/remediations?limit=100`);
    const list = ((await res.json()) as any).remediations as any[];
    expect(list).toHaveLength(30);
    expect(list.filter((r) => r.status === 'verifying')).toHaveLength(3);
    expect(list.filter((r) => r.status === 'skipped')).toHaveLength(27);
  });
});
