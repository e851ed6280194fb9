import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: data }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: exports }
spec: { owner: data }
---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: export-job }
spec: { interval: 5m, service: exports }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: exports-on-time }
spec: { service: exports, objective: 99, indicator: { heartbeat: { name: export-job } } }
`;

describeEachStore('SLOs on a heartbeat', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: config, clock });
  });
  afterEach(async () => server.stop());

  const slo = async () => (await server.request('GET', '/api/v1/slos/exports-on-time')).body;
  async function minutes(n: number, ping: (m: number) => boolean) {
    for (let m = 0; m < n; m++) {
      if (ping(m)) expect((await server.request('POST', '/api/v1/heartbeats/export-job/ping')).status).toBe(200);
      clock.advance(60_000);
      await server.maintenance.runOnce();
    }
  }

  it('counts each minute on schedule as good and each overdue minute as bad, and pages when the job stops', async () => {
    await minutes(60, (m) => m % 4 === 0);
    expect((await slo()).events).toMatchObject({ good: 60, total: 60 });
    expect((await slo()).tier).toBeNull();
    // The job stops: 5 minutes later it is overdue, and every further minute is a bad one.
    await minutes(9, () => false);
    // An hour of history holds little budget: the first overdue minutes spend it (a ticket), but they are too few to page.
    expect((await slo()).urgency).toBe('ticket');
    await minutes(6, () => false);
    const s = await slo();
    expect(s.events.bad).toBeGreaterThanOrEqual(10);
    expect(s.tier).toBe('page-fast');
    const alerts = (await server.request('GET', '/api/v1/alerts?match[]={alertname="SLOBurn"}')).body.alerts;
    expect(alerts[0].labels).toMatchObject({ slo: 'exports-on-time', severity: 'page' });
  });
});
