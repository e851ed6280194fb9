import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { freePort, hasBinary, prometheusBinary, startPeer, waitFor, type Peer } from './support/peers.js';

const havePrometheus = hasBinary(prometheusBinary);
if (!havePrometheus) console.warn('Prometheus over-long batch test skipped: install the Debian package "prometheus" (.ci/run does)');

/**
 * Prometheus does not retry a 400, so one alert prodeng cannot take must not
 * cost the others of its batch: before issue 14 a label value over 2,048
 * characters made prodeng refuse the whole batch, and the normal alerts in
 * it, never stored or refreshed, resolved by timeout while they still fired.
 */
describeEachStore('a real Prometheus batch with over-long alerts in it', (kind) => {
  let server: TestServer | undefined;
  let prometheus: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!havePrometheus)('stores every normal alert, keeps them firing across resends, and leaves out only the one over 256 KB', { timeout: 90_000 }, async () => {
    const token = 'prom-overlong-token';
    // Resolving by timeout runs every 500 ms, so an alert whose refresh was lost would show it.
    server = await startTestServer(kind, { clock: systemClock, apiTokens: [token], maintenanceIntervalMs: 500 });
    dir = mkdtempSync(join(tmpdir(), 'prodeng-prom-overlong-'));
    const normal = ['cart', 'checkout', 'payment', 'shipping', 'currency', 'catalog'];
    const rules = [
      ...normal.map((s) => `      - alert: ServiceUp\n        expr: vector(1)\n        labels: { service: ${s}, severity: warning }\n        annotations: { summary: "${s} is watched" }`),
      // What Alertmanager takes and prodeng used to refuse: a 3,000-character label value, a 20 KB annotation.
      `      - alert: LongLabel\n        expr: vector(1)\n        labels: { query: "${'q'.repeat(3000)}" }`,
      `      - alert: LongAnnotation\n        expr: vector(1)\n        annotations: { description: "${'d'.repeat(20_000)}" }`,
      // Over prodeng's documented bound of 256 KB per alert: the one alert it leaves out.
      `      - alert: Enormous\n        expr: vector(1)\n        annotations: { description: "${'e'.repeat(300_000)}" }`,
    ];
    writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: overlong\n    interval: 1s\n    rules:\n${rules.join('\n')}\n`);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: { type: Bearer, credentials: ${token} }
      static_configs: [{ targets: ["127.0.0.1:${new URL(server.url).port}"] }]
`,
    );
    const promPort = await freePort();
    prometheus = startPeer(prometheusBinary, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--rules.alert.resend-delay=1s',
    ]);
    const auth = { authorization: `Bearer ${token}` };
    const stored = async () => (await server!.request('GET', '/api/v1/alerts?limit=100', undefined, auth)).body.alerts as Array<{ labels: Record<string, string>; status: string; occurrences: number; endsAt: string }>;
    const expected = normal.length + 2;
    const first = await waitFor('the normal and the long alerts from Prometheus', async () => {
      const all = await stored();
      return all.length >= expected ? all : undefined;
    }, 40_000, () => prometheus!.output());
    expect(first.map((a) => a.labels.alertname).sort()).toEqual([...normal.map(() => 'ServiceUp'), 'LongAnnotation', 'LongLabel'].sort());
    expect(first.find((a) => a.labels.alertname === 'LongLabel')!.labels.query).toHaveLength(3000);

    // Prometheus sends each alert with endsAt = now + 4 × the resend delay (4 s here): watch well past
    // that, so an alert whose resends were lost would resolve by timeout in view.
    const watchUntil = Date.now() + 12_000;
    let checks = 0;
    while (Date.now() < watchUntil) {
      const all = await stored();
      const notFiring = all.filter((a) => a.status !== 'firing');
      expect(notFiring, 'an alert Prometheus still sends resolved early').toEqual([]);
      expect(all.some((a) => a.labels.alertname === 'Enormous')).toBe(false);
      checks++;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(checks).toBeGreaterThan(5);
    const last = await stored();
    expect(last).toHaveLength(expected);
    // Each was refreshed by the resends of batches that also held the refused one.
    for (const a of last) expect(a.occurrences, a.labels.alertname).toBeGreaterThan(5);

    // Prometheus was told: its batches got a 400, counted as notification errors.
    const metrics = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    const errors = metrics.split('\n').filter((l) => l.startsWith('prometheus_notifications_errors_total')).map((l) => Number(l.split(' ').pop()));
    expect(errors.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
