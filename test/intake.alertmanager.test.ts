import { afterEach, beforeEach, expect, it } from 'vitest';
import { labelSetFingerprint } from '../src/intake/fingerprint.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

describeEachStore('Alertmanager webhook intake (POST /api/v1/intake/alertmanager)', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind);
  });
  afterEach(async () => server.stop());

  const labels = { alertname: 'HighLatency', service: 'checkout', instance: 'co-2:8080', severity: 'warning' };
  const notification = (status: 'firing' | 'resolved', fingerprint: string) => ({
    version: '4',
    groupKey: '{}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status,
    receiver: 'prodeng',
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    routeLabels: { team: 'payments' },
    notification_reason: 'new_alerts',
    alerts: [
      {
        status,
        labels,
        annotations: { description: 'p99 over 2s' },
        startsAt: '2026-11-22T10:00:00Z',
        endsAt: status === 'resolved' ? '2026-11-22T10:05:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prom/graph',
        fingerprint,
      },
    ],
  });

  it('keeps each alert\'s fingerprint and resolves when Alertmanager says so', async () => {
    const fp = 'a1b2c3d4e5f60718';
    const res = await server.request('POST', '/api/v1/intake/alertmanager', notification('firing', fp));
    expect(res.status).toBe(200);
    let alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts[0]).toMatchObject({ fingerprint: fp, status: 'firing', service: 'checkout', source: 'alertmanager', summary: 'p99 over 2s', endsAt: null });
    await server.request('POST', '/api/v1/intake/alertmanager', notification('resolved', fp));
    alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-22T10:05:00.000Z' });
    const detail = await server.request('GET', `/api/v1/alerts/${alerts[0].id}`);
    expect(detail.body.history[0].payload.group).toMatchObject({ routeLabels: { team: 'payments' }, notification_reason: 'new_alerts' });
  });

  it('is the same alert as one Prometheus sent directly with the same labels', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels }]);
    await server.request('POST', '/api/v1/intake/alertmanager', notification('firing', labelSetFingerprint(labels)));
    const alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].occurrences).toBe(2);
  });

  it('refuses another payload version, naming the field', async () => {
    const res = await server.request('POST', '/api/v1/intake/alertmanager', { ...notification('firing', 'ab'), version: '3' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].field).toBe('version');
  });
});
