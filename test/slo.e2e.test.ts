import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { renderDigestText } from '../src/reports/digestRender.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { sloMinutes } from './support/sloMinutes.js';

const config = `
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec:
  owner: shop
  labels: { job: checkout }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  objective: 99.9
  window: 30d
  indicator: { events: {} }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-probe }
spec:
  service: checkout
  objective: 99
  indicator: { probe: {} }
`;

describeEachStore('SLOs: pushed events, burn alerts through the pipeline', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: config, clock });
  });
  afterEach(async () => server.stop());

  const minute = sloMinutes(() => server, () => clock, 'checkout-availability');
  const sloAlert = async () => (await server.request('GET', '/api/v1/alerts?match[]={alertname="SLOBurn",slo="checkout-availability"}')).body.alerts as any[];

  it('pages for a total outage within 2 minutes, as one alert and one incident whose tier moves, and says how much budget is left', async () => {
    for (let m = 0; m < 60; m++) await minute(1000, 0);
    expect(await sloAlert()).toEqual([]);
    await minute(0, 1000);
    await minute(0, 1000);
    let [alert] = await sloAlert();
    expect(alert).toMatchObject({ status: 'firing', service: 'checkout', source: 'slo', severity: 'critical' });
    expect(alert.labels).toMatchObject({ slo: 'checkout-availability', tier: 'page-fast', severity: 'page' });
    let incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ service: 'checkout' });

    // Fixed: within 6 minutes the fast tier is gone; the alert stays one alert, with one incident.
    let cleared = -1;
    for (let m = 1; m <= 10; m++) {
      await minute(1000, 0);
      [alert] = await sloAlert();
      if (cleared < 0 && alert.labels.tier !== 'page-fast') cleared = m;
    }
    expect(cleared).toBeGreaterThan(0);
    expect(cleared).toBeLessThanOrEqual(6);
    expect(await sloAlert()).toHaveLength(1);
    incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    const history = (await server.request('GET', `/api/v1/alerts/${alert.id}`)).body.history.map((h: any) => h.payload.tier);
    expect(history[0]).toBe('page-fast');
    expect(history.at(-1)).toBe(alert.labels.tier);

    const slo = (await server.request('GET', '/api/v1/slos/checkout-availability')).body;
    expect(slo.events).toMatchObject({ bad: 2000, total: 72_000 });
    expect(slo.budgetRemaining).toBeCloseTo(1 - 2000 / 72, 6);
    expect(slo.burn.find((b: any) => b.tier === 'page-fast')).toMatchObject({ longWindow: '1h', shortWindow: '5m', firing: false });
    expect(slo.history).toEqual([{ day: '2026-12-01', good: 70_000, total: 72_000 }]);
    const list = (await server.request('GET', '/api/v1/slos')).body.slos;
    expect(list.map((s: any) => [s.name, s.tier])).toEqual([
      ['checkout-availability', alert.labels.tier],
      // No probe result in over an hour: a no-data ticket.
      ['checkout-probe', 'no-data'],
    ]);
    // The owning team's daily digest carries the SLOs, as data and in the mail's text.
    const digest = (await server.request('GET', '/api/v1/reports/digest?team=shop')).body;
    expect(digest.slos).toEqual([
      { name: 'checkout-availability', service: 'checkout', objective: 99.9, budgetRemaining: expect.any(Number), tier: alert.labels.tier, urgency: 'page' },
      { name: 'checkout-probe', service: 'checkout', objective: 99, budgetRemaining: 1, tier: 'no-data', urgency: 'ticket' },
    ]);
    // The team report says what each SLO achieved over the report's window.
    const report = (await server.request('GET', '/api/v1/reports/teams?team=shop')).body.teams;
    expect(report[0].slos[0]).toMatchObject({ name: 'checkout-availability', objective: 99.9, events: 72_000, met: false, tier: alert.labels.tier });
    expect(report[0].slos[0].achieved).toBeCloseTo(70_000 / 72_000, 9);
    const text = renderDigestText(digest);
    expect(text).toMatch(/Error budgets \(SLOs\)\n\s+SLO\s+SERVICE\s+OBJECTIVE\s+BUDGET LEFT\s+ALERT\n\s+checkout-availability\s+checkout\s+99\.9%\s+-2677\.8%/);
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/prodeng_slo_budget_remaining_ratio\{slo="checkout-availability"\} -26\.7/);
  });

  it('does not page for a few errors at 3 requests a minute, and pages a full outage at that traffic within 5 minutes', async () => {
    for (let m = 0; m < 120; m++) await minute(3, 0);
    await minute(0, 3);
    for (let m = 0; m < 30; m++) await minute(3, 0);
    expect((await sloAlert()).filter((a) => a.labels.severity === 'page')).toEqual([]);
    let pagedAfter = -1;
    for (let m = 1; m <= 8; m++) {
      await minute(0, 3);
      if (pagedAfter < 0 && (await sloAlert()).some((a) => a.status === 'firing' && a.labels.severity === 'page')) pagedAfter = m;
    }
    expect(pagedAfter).toBeGreaterThan(0);
    expect(pagedAfter).toBeLessThanOrEqual(5);
    // The blip's ticket and the outage's page are one alert; becoming a page opens the incident.
    expect(await sloAlert()).toHaveLength(1);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toHaveLength(1);
  });

  it('backtests stored events: when the alert would have fired, and that a looser objective would not have paged', async () => {
    const at = (m: number) => new Date(Date.parse('2026-12-01T06:00:00Z') + m * 60_000).toISOString();
    for (let m = 0; m < 240; m++) {
      const outage = m >= 120 && m < 130;
      expect((await server.request('POST', '/api/v1/slis/checkout-availability/events', { good: outage ? 0 : 1000, bad: outage ? 1000 : 0, at: at(m) })).status).toBe(200);
    }
    const q = `from=${at(0)}&to=${at(240)}`;
    const r = (await server.request('GET', `/api/v1/slos/checkout-availability/backtest?${q}`)).body;
    expect(r).toMatchObject({ slo: 'checkout-availability', objective: 99.9, pages: 1, evaluations: 240 });
    expect(r.transitions[0]).toMatchObject({ at: at(121), tier: 'page-fast', urgency: 'page' });
    expect(r.transitions.every((t: any) => t.at > at(120))).toBe(true);
    // Nothing was raised: a backtest only tells.
    expect(await sloAlert()).toEqual([]);
    const loose = (await server.request('GET', `/api/v1/slos/checkout-availability/backtest?${q}&objective=90`)).body;
    expect(loose).toMatchObject({ objective: 90, pages: 0, pagedMinutes: 0 });
    const bad = await server.request('GET', `/api/v1/slos/checkout-availability/backtest?from=${at(10)}&to=${at(0)}`);
    expect(bad.status).toBe(400);
    expect((await server.request('GET', `/api/v1/slos/checkout-availability/backtest?objective=100`)).status).toBe(400);
  });

  it("answers the error-budget gate: denied once the budget is spent, let through by an override that keeps who and why, until revoked", async () => {
    for (let m = 0; m < 60; m++) await minute(1000, 0);
    let gate = await server.request('GET', '/api/v1/slos/checkout-availability/gate');
    expect(gate.status).toBe(200);
    expect(gate.body).toMatchObject({ allow: true, state: 'healthy' });
    await minute(0, 1000);
    gate = await server.request('GET', '/api/v1/slos/checkout-availability/gate');
    expect(gate.status).toBe(423);
    expect(gate.body).toMatchObject({ allow: false, state: 'exhausted' });
    expect(gate.body.reason).toMatch(/exhausted: -1539\.3% of the error budget left; the policy denies changes once the budget is spent/);

    for (const [body, field] of [[{ for: '2h' }, 'reason'], [{ reason: 'hotfix for the outage', for: '30d' }, 'for'], [{ reason: 'x', for: '1h' }, 'reason']] as const) {
      const res = await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const created = await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', { reason: 'hotfix for the outage', for: '2h', createdBy: 'alice' });
    expect(created.status).toBe(201);
    gate = await server.request('GET', '/api/v1/slos/checkout-availability/gate');
    expect(gate.status).toBe(200);
    expect(gate.body.reason).toMatch(/but alice overrode the gate until .*: hotfix for the outage/);
    clock.advance(2 * 3_600_000);
    expect((await server.request('GET', '/api/v1/slos/checkout-availability/gate')).status).toBe(423);
    const again = await server.request('POST', '/api/v1/slos/checkout-availability/gate/overrides', { reason: 'second hotfix', for: '1h', createdBy: 'bob' });
    expect((await server.request('DELETE', `/api/v1/slos/checkout-availability/gate/overrides/${again.body.id}`)).status).toBe(200);
    expect((await server.request('GET', '/api/v1/slos/checkout-availability/gate')).status).toBe(423);
    const overrides = (await server.request('GET', '/api/v1/slos/checkout-availability/gate/overrides')).body.overrides;
    expect(overrides.map((o: any) => [o.createdBy, o.reason, o.revokedBy])).toEqual([
      ['bob', 'second hotfix', 'local'],
      ['alice', 'hotfix for the outage', null],
    ]);
  });

  it('reviews the target over past windows through the API, with the target history', async () => {
    const review = await server.request('GET', '/api/v1/slos/checkout-availability/review?windows=2');
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ slo: 'checkout-availability', objective: 99.9, verdict: 'not-enough-data', targets: [{ objective: 99.9, since: '2026-12-01T10:00:30.000Z' }] });
    expect(review.body.windows).toHaveLength(2);
    expect((await server.request('GET', '/api/v1/slos/checkout-availability/review?windows=99')).status).toBe(400);
  });

  it('refuses bad event reports with the field named, and stores nothing of them', async () => {
    const post = (name: string, body: unknown) => server.request('POST', `/api/v1/slis/${name}/events`, body);
    expect((await post('nope', { good: 1, bad: 0 })).status).toBe(404);
    const probe = await post('checkout-probe', { good: 1, bad: 0 });
    expect(probe.status).toBe(409);
    for (const [body, field] of [
      [{ good: -1, bad: 0 }, 'good'],
      [{ good: 1.5, bad: 0 }, 'good'],
      [{ good: 5, total: 3 }, 'good'],
      [{ good: 1, bad: 1, total: 5 }, 'total'],
      [{ good: 1, extra: 1 }, ''],
      [{ good: 1, at: 'yesterday' }, 'at'],
    ] as const) {
      const res = await post('checkout-availability', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const slo = (await server.request('GET', '/api/v1/slos/checkout-availability')).body;
    clock.advance(60_000);
    expect(slo.events.total).toBe(0);
    expect((await server.request('GET', '/api/v1/slos/checkout-availability')).body.events.total).toBe(0);
  });
});
