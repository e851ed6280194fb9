import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { pendingWork } from '../src/store/workQueue.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

describeEachStore('silences', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock });
  });
  afterEach(async () => server.stop());

  const silence = (matchers: unknown[], extra: Record<string, unknown> = {}) =>
    server.request('POST', '/api/v1/silences', { matchers, duration: '1h', createdBy: 'alice', comment: 'deploy of web', ...extra });

  it('stores a silenced alert as silenced and causes no downstream work', async () => {
    const created = await silence([{ name: 'alertname', value: 'WebDown', isRegex: false, isEqual: true }, 'instance=~"web-[12]"']);
    expect(created.status).toBe(201);
    await server.request('POST', '/api/v2/alerts', [
      { labels: { alertname: 'WebDown', instance: 'web-1' } },
      { labels: { alertname: 'WebDown', instance: 'web-3' } },
    ]);
    const alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    const byInstance = Object.fromEntries(alerts.map((a: any) => [a.labels.instance, a]));
    expect(byInstance['web-1']).toMatchObject({ silenced: true, silencedBy: [created.body.silenceID], status: 'firing' });
    expect(byInstance['web-3'].silenced).toBe(false);
    const work = await pendingWork(server.store.db, 'alert.firing');
    expect(work.flatMap((w) => JSON.parse(w.payload).alertIds)).toEqual([byInstance['web-3'].id]);
  });

  it('supports the four matcher operators with anchored regexes', async () => {
    await silence(['severity!="critical"', 'team!~"pay.*"', 'alertname=~"Disk"']);
    await server.request('POST', '/api/v2/alerts', [
      { labels: { alertname: 'Disk', severity: 'warning', team: 'web' } }, // silenced
      { labels: { alertname: 'DiskFull', severity: 'warning', team: 'web' } }, // regex is anchored: not silenced
      { labels: { alertname: 'Disk', severity: 'critical', team: 'web' } }, // severity != critical fails
      { labels: { alertname: 'Disk', severity: 'warning', team: 'payments' } }, // team !~ pay.* fails
    ]);
    const alerts = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alerts.filter((a: any) => a.silenced).map((a: any) => a.labels)).toEqual([{ alertname: 'Disk', severity: 'warning', team: 'web' }]);
  });

  it('silences open alerts when created, and releases them with downstream work when expired', async () => {
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'WebDown', instance: 'web-1' } }]);
    const created = await silence(['alertname=WebDown']);
    let [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert.silenced).toBe(true);
    const before = (await pendingWork(server.store.db, 'alert.firing')).length;
    const expired = await server.request('DELETE', `/api/v1/silences/${created.body.silenceID}`);
    expect(expired.body.status).toBe('expired');
    [alert] = (await server.request('GET', '/api/v1/alerts')).body.alerts;
    expect(alert.silenced).toBe(false);
    expect((await pendingWork(server.store.db, 'alert.firing')).length).toBe(before + 1);
    const listed = await server.request('GET', '/api/v1/silences');
    expect(listed.body.silences[0].status.state).toBe('expired');
  });

  it('lets a silence end by itself at endsAt', async () => {
    await silence(['alertname=WebDown'], { duration: '10m' });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'WebDown' } }]);
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].silenced).toBe(true);
    clock.advance(11 * 60_000);
    await server.maintenance.runOnce();
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].silenced).toBe(false);
    expect((await server.request('GET', '/api/v1/silences?state=expired')).body.silences).toHaveLength(1);
  });

  it('refuses a silence without matchers, with a bad regex, or ending in the past, naming the field', async () => {
    const none = await silence([]);
    expect(none.status).toBe(400);
    expect(none.body.error.fields[0].field).toBe('matchers');
    const badRegex = await silence(['instance=~"web-(["']);
    expect(badRegex.status).toBe(400);
    expect(badRegex.body.error.fields[0].field).toBe('matchers[0]');
    const past = await server.request('POST', '/api/v1/silences', { matchers: ['a=b'], endsAt: '2026-11-22T09:00:00Z', startsAt: '2026-11-22T08:00:00Z', createdBy: 'a', comment: 'c' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toMatch(/^endsAt/);
    const noComment = await silence(['a=b'], { comment: '' });
    expect(noComment.body.error.fields[0].field).toBe('comment');
    expect((await server.request('GET', '/api/v1/silences')).body.silences).toHaveLength(0);
    expect((await server.request('DELETE', '/api/v1/silences/nope')).status).toBe(404);
  });
});
