import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { hasBinary } from './support/peers.js';

// Issue 14: /metrics failed `promtool check metrics` (gauges named *_total).
const havePromtool = hasBinary('promtool');
if (!havePromtool) console.warn('promtool test skipped: install the Debian package "prometheus" (.ci/run does)');

describeEachStore('/metrics as Prometheus lints it', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => server?.stop());

  it.skipIf(!havePromtool)('passes promtool check metrics after intake and HTTP traffic', async () => {
    server = await startTestServer(kind, { clock: systemClock });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Lint', instance: 'a:1' } }]);
    await server.request('GET', '/api/v1/alerts');
    const text = (await server.request('GET', '/metrics')).body as string;
    expect(text).toContain('prodeng_intake_events_total');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });
});
