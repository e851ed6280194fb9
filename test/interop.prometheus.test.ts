import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { freePort, hasBinary, prometheusBinary, startPeer, waitFor, type Peer } from './support/peers.js';

const havePrometheus = hasBinary(prometheusBinary);
if (!havePrometheus) console.warn('Prometheus interop test skipped: install the Debian package "prometheus" (.ci/run does)');

describeEachStore('a real Prometheus uses prodeng as its Alertmanager', (kind) => {
  let server: TestServer | undefined;
  let prometheus: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!havePrometheus)('delivers a firing alert, and resolves it when the rule stops firing', async () => {
    const token = 'prom-token-123';
    server = await startTestServer(kind, { clock: systemClock, apiTokens: [token], maintenanceIntervalMs: 500 });
    const prodengPort = new URL(server.url).port;
    dir = mkdtempSync(join(tmpdir(), 'prodeng-prom-'));
    const stopAt = Math.floor(Date.now() / 1000) + 12;
    writeFileSync(
      join(dir, 'rules.yml'),
      `groups:
  - name: prodeng-test
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: critical, service: checkout }
        annotations: { summary: "This rule always fires" }
      - alert: ShortLived
        expr: vector(time()) < ${stopAt}
        labels: { severity: warning }
        annotations: { summary: "Fires for a few seconds" }
`,
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: { type: Bearer, credentials: ${token} }
      static_configs: [{ targets: ["127.0.0.1:${prodengPort}"] }]
`,
    );
    const promPort = await freePort();
    prometheus = startPeer(prometheusBinary, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // Prometheus drops notifications sent before it has discovered its
      // Alertmanagers and only resends after this delay (1m by default).
      '--rules.alert.resend-delay=1s',
    ]);
    const auth = { authorization: `Bearer ${token}` };
    const alertsByName = async () => {
      const res = await server!.request('GET', '/api/v1/alerts?limit=100', undefined, auth);
      return Object.fromEntries((res.body.alerts as any[]).map((a) => [a.labels.alertname, a]));
    };
    const firing = await waitFor(
      'both alerts from Prometheus',
      async () => {
        const byName = await alertsByName();
        return byName.AlwaysFiring && byName.ShortLived ? byName : undefined;
      },
      30_000,
      () => prometheus!.output(),
    );
    expect(firing.AlwaysFiring).toMatchObject({ status: 'firing', source: 'prometheus', severity: 'critical', service: 'checkout', summary: 'This rule always fires' });
    expect(firing.AlwaysFiring.generatorURL).toContain(String(promPort));
    const resolved = await waitFor(
      'ShortLived to resolve after its rule stopped firing',
      async () => {
        const byName = await alertsByName();
        return byName.ShortLived?.status === 'resolved' ? byName : undefined;
      },
      30_000,
      () => prometheus!.output(),
    );
    expect(resolved.AlwaysFiring.status).toBe('firing');
    expect(resolved.AlwaysFiring.occurrences).toBeGreaterThan(1);
  }, 90_000);
});
