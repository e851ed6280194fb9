import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const config = `
apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: frontend }
spec:
  owner: web
  labels: { job: frontend }
`;

describeEachStore('Prometheus intake (POST /api/v2/alerts)', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { configYaml: config, clock, resolveTimeoutMs: 5 * 60_000 });
  });
  afterEach(async () => server.stop());

  const webDown = { alertname: 'WebDown', instance: 'web-1:9100', job: 'frontend', severity: 'critical' };

  it('stores an alert in the common model, with service and host from labels', async () => {
    const res = await server.request('POST', '/api/v2/alerts', [
      { labels: webDown, annotations: { summary: 'web-1 is down' }, startsAt: '2026-11-22T09:59:00Z', generatorURL: 'http://prom/graph' },
    ]);
    expect(res.status).toBe(200);
    const { body } = await server.request('GET', '/api/v1/alerts');
    expect(body.alerts).toHaveLength(1);
    const a = body.alerts[0];
    expect(a).toMatchObject({
      status: 'firing',
      summary: 'web-1 is down',
      severity: 'critical',
      service: 'frontend',
      host: 'web-1:9100',
      source: 'prometheus',
      startsAt: '2026-11-22T09:59:00.000Z',
      occurrences: 1,
      silenced: false,
      labels: webDown,
    });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('deduplicates by label set regardless of order and counts occurrences', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    clock.advance(30_000);
    const reordered = Object.fromEntries(Object.entries(webDown).reverse());
    await server.request('POST', '/api/v2/alerts', [{ labels: reordered }]);
    const { body } = await server.request('GET', '/api/v1/alerts');
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0].occurrences).toBe(2);
    expect(body.alerts[0].lastSeenAt).toBe('2026-11-22T10:00:30.000Z');
    const detail = await server.request('GET', `/api/v1/alerts/${body.alerts[0].id}`);
    expect(detail.body.history.map((h: any) => h.action)).toEqual(['firing', 'firing']);
  });

  it('resolves on an endsAt in the past, and a later firing opens a new alert', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    clock.advance(60_000);
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown, endsAt: '2026-11-22T10:00:30Z' }]);
    let { body } = await server.request('GET', '/api/v1/alerts');
    expect(body.alerts[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-22T10:00:30.000Z' });
    clock.advance(60_000);
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    ({ body } = await server.request('GET', '/api/v1/alerts'));
    expect(body.alerts.map((a: any) => a.status)).toEqual(['firing', 'resolved']);
    expect(body.alerts[0].fingerprint).toBe(body.alerts[1].fingerprint);
  });

  it('resolves an alert sent without endsAt after resolveTimeout unless it is sent again', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    clock.advance(4 * 60_000);
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]); // re-sent: timeout restarts
    clock.advance(4 * 60_000);
    await server.maintenance.runOnce();
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].status).toBe('firing');
    clock.advance(2 * 60_000);
    await server.maintenance.runOnce();
    const a = (await server.request('GET', '/api/v1/alerts')).body.alerts[0];
    expect(a.status).toBe('resolved');
    expect(a.resolvedAt).toBe('2026-11-22T10:09:00.000Z');
  });

  it('honours a future endsAt as Prometheus sends it, resolving when it passes', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown, endsAt: '2026-11-22T10:00:40Z' }]);
    clock.advance(30_000);
    await server.maintenance.runOnce();
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].status).toBe('firing');
    clock.advance(15_000);
    await server.maintenance.runOnce();
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].status).toBe('resolved');
  });

  it('keeps no history of a re-send that changes nothing, yet moves its end and counts it (issue 15)', async () => {
    const body = (endsAt: string, summary = 'web-1 is down') => [
      { labels: webDown, annotations: { summary }, startsAt: '2026-11-22T10:00:00Z', endsAt, generatorURL: 'http://prom/graph' },
    ];
    await server.request('POST', '/api/v2/alerts', body('2026-11-22T10:04:00Z'));
    // Prometheus re-sends every minute, endsAt four minutes ahead each time.
    for (let minute = 1; minute <= 5; minute++) {
      clock.advance(60_000);
      expect((await server.request('POST', '/api/v2/alerts', body(`2026-11-22T10:0${minute + 4}:00Z`))).status).toBe(200);
      await server.maintenance.runOnce();
    }
    let [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert).toMatchObject({ status: 'firing', occurrences: 6, lastSeenAt: '2026-11-22T10:05:00.000Z', endsAt: '2026-11-22T10:09:00.000Z' });
    let detail = (await server.request('GET', `/api/v1/alerts/${alert.id}`)).body;
    expect(detail.history.map((h: any) => h.action)).toEqual(['firing']);

    // A changed annotation is something a person would see: history, and the row rewritten.
    clock.advance(60_000);
    await server.request('POST', '/api/v2/alerts', body('2026-11-22T10:10:00Z', 'web-1 is down hard'));
    [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert).toMatchObject({ summary: 'web-1 is down hard', occurrences: 7, endsAt: '2026-11-22T10:10:00.000Z' });
    detail = (await server.request('GET', `/api/v1/alerts/${alert.id}`)).body;
    expect(detail.history.map((h: any) => h.payload.annotations.summary)).toEqual(['web-1 is down', 'web-1 is down hard']);

    // Once Prometheus stops, the last endsAt it sent is the one that resolves it.
    clock.advance(4 * 60_000 + 1_000);
    await server.maintenance.runOnce();
    [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-22T10:10:00.000Z' });
  });

  it('writes a re-send and a resolve of one alert in one batch as the resolve, its count kept (issue 15)', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    clock.advance(60_000);
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }, { labels: webDown, endsAt: '2026-11-22T10:00:50Z' }]);
    const [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert).toMatchObject({ status: 'resolved', occurrences: 2, lastSeenAt: '2026-11-22T10:01:00.000Z', resolvedAt: '2026-11-22T10:00:50.000Z' });
  });

  it('takes a batch that resolves and re-fires the same alert as two alerts', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: webDown }]);
    const res = await server.request('POST', '/api/v2/alerts', [
      { labels: webDown, endsAt: '2026-11-22T09:00:00Z' },
      { labels: webDown },
    ]);
    expect(res.status).toBe(200);
    const { body } = await server.request('GET', '/api/v1/alerts');
    expect(body.alerts.map((a: any) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('filters by status, service and label matchers, newest first, in pages', async () => {
    const batch = Array.from({ length: 25 }, (_, i) => ({ labels: { alertname: i % 2 ? 'DiskFull' : 'WebDown', instance: `web-${i}`, job: i < 5 ? 'frontend' : 'other' } }));
    await server.request('POST', '/api/v2/alerts', batch);
    const all = await server.request('GET', '/api/v1/alerts?limit=10');
    expect(all.body.alerts).toHaveLength(10);
    expect(all.body.alerts[0].labels.instance).toBe('web-24');
    const next = await server.request('GET', `/api/v1/alerts?limit=10&before=${all.body.nextCursor}`);
    expect(next.body.alerts[0].labels.instance).toBe('web-14');
    const last = await server.request('GET', `/api/v1/alerts?limit=10&before=${next.body.nextCursor}`);
    expect(last.body.alerts).toHaveLength(5);
    expect(last.body.nextCursor).toBeNull();

    expect((await server.request('GET', '/api/v1/alerts?service=frontend')).body.alerts).toHaveLength(5);
    const disk = await server.request('GET', `/api/v1/alerts?match[]=${encodeURIComponent('alertname="DiskFull"')}&match[]=${encodeURIComponent('instance=~"web-1.*"')}`);
    expect(disk.body.alerts.map((a: any) => a.labels.instance)).toEqual(['web-19', 'web-17', 'web-15', 'web-13', 'web-11', 'web-1']);
    const braces = await server.request('GET', `/api/v1/alerts?match[]=${encodeURIComponent('{alertname!="DiskFull",job="frontend"}')}`);
    expect(braces.body.alerts).toHaveLength(3);
    expect((await server.request('GET', '/api/v1/alerts?status=resolved')).body.alerts).toHaveLength(0);
    const bad = await server.request('GET', '/api/v1/alerts?status=open');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^status/);
  });

  it('returns 404 for an unknown alert id', async () => {
    const res = await server.request('GET', '/api/v1/alerts/999999');
    expect(res.status).toBe(404);
  });
});
