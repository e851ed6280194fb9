import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { alertmanagerBinary, freePort, hasBinary, startPeer, waitFor, type Peer } from './support/peers.js';

const haveAlertmanager = hasBinary(alertmanagerBinary);
if (!haveAlertmanager) console.warn('Alertmanager interop test skipped: install the Debian package "prometheus-alertmanager" (.ci/run does)');

describeEachStore('a real Alertmanager forwards to prodeng by webhook', (kind) => {
  let server: TestServer | undefined;
  let alertmanager: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await alertmanager?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!haveAlertmanager)('delivers alerts with Alertmanager\'s fingerprints, then their resolution', async () => {
    const token = 'am-token-456';
    server = await startTestServer(kind, { clock: systemClock, apiTokens: [token] });
    dir = mkdtempSync(join(tmpdir(), 'prodeng-am-'));
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `route:
  receiver: prodeng
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: prodeng
    webhook_configs:
      - url: ${server.url}/api/v1/intake/alertmanager
        send_resolved: true
        http_config:
          authorization: { credentials: ${token} }
`,
    );
    const amPort = await freePort();
    alertmanager = startPeer(alertmanagerBinary, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    const am = `http://127.0.0.1:${amPort}`;
    await waitFor('Alertmanager to be ready', async () => (await fetch(`${am}/-/ready`)).ok, 20_000, () => alertmanager!.output());
    const labels = [
      { alertname: 'DiskFull', instance: 'db-1:9100', severity: 'critical' },
      { alertname: 'DiskFull', instance: 'db-2:9100', severity: 'critical' },
      { alertname: 'HighLatency', service: 'checkout', severity: 'warning' },
    ];
    const post = (endsAt?: string) =>
      fetch(`${am}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(labels.map((l) => ({ labels: l, annotations: { summary: `${l.alertname} on ${l.instance ?? l.service}` }, ...(endsAt ? { endsAt } : {}) }))),
      });
    expect((await post()).ok).toBe(true);
    const amAlerts = (await (await fetch(`${am}/api/v2/alerts`)).json()) as Array<{ fingerprint: string; labels: Record<string, string> }>;
    expect(amAlerts).toHaveLength(3);

    const auth = { authorization: `Bearer ${token}` };
    const ours = async () => (await server!.request('GET', '/api/v1/alerts', undefined, auth)).body.alerts as any[];
    const arrived = await waitFor('the three alerts in prodeng', async () => ((await ours()).length === 3 ? ours() : undefined), 20_000, () => alertmanager!.output());
    expect(arrived.map((a) => a.fingerprint).sort()).toEqual(amAlerts.map((a) => a.fingerprint).sort());
    expect(arrived.every((a) => a.source === 'alertmanager' && a.status === 'firing')).toBe(true);

    expect((await post(new Date(Date.now() - 1000).toISOString())).ok).toBe(true);
    const resolved = await waitFor(
      'Alertmanager to send the resolution',
      async () => {
        const now = await ours();
        return now.every((a) => a.status === 'resolved') ? now : undefined;
      },
      20_000,
      () => alertmanager!.output(),
    );
    expect(resolved).toHaveLength(3);
  }, 60_000);
});
