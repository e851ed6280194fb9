import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { reportCommand } from '../src/cli/reportCommand.js';
import { ManualClock } from '../src/store/clock.js';
import type { RemediationStatus } from '../src/store/schema.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const config = `
apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: {}
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: payments }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: payments }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: frontend }
spec: { owner: web }
`;

const T0 = Date.parse('2026-11-20T08:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = T0 + 4 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

describeEachStore('reports: alert Pareto and team figures', (kind) => {
  let server: TestServer;
  let clock: ManualClock;

  async function post(at: number, path: string, body: unknown) {
    clock.set(at);
    const res = await server.request('POST', path, body);
    // generic intake answers 202, Prometheus' API 200: a 2xx means committed
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
  const generic = (at: number, body: Record<string, unknown>) => post(at, '/api/v1/intake/generic', body);
  const prometheus = (at: number, alert: Record<string, unknown>) => post(at, '/api/v2/alerts', [alert]);

  async function remediation(service: string, status: RemediationStatus, finishedAt: number, manualMinutes: number) {
    await server.store.db
      .insertInto('remediations')
      .values({
        runbook: 'fix-disk', target: 'host-7', service, scope: null, status, reason: status, dry_run: 0, alert_id: 1, alert_ids: '[1]', plan: '{}',
        rung: 0, step_index: 0, step_in_progress: 0, verify_deadline: null, approval_deadline: null, approval: null,
        manual_minutes: manualMinutes, created_at: finishedAt - MIN, updated_at: finishedAt, started_at: finishedAt - MIN, finished_at: finishedAt,
      })
      .execute();
  }

  beforeEach(async () => {
    clock = new ManualClock(T0 - 10 * DAY);
    server = await startTestServer(kind, { clock, configYaml: config });
    // ten days ago: outside the default window of 7 days
    await generic(T0 - 10 * DAY, { summary: 'disk 99% on host-9', dedupKey: 'disk-host-9', service: 'checkout' });
    // checkout: acknowledged after 2 minutes, resolved after 10, and firing anew 3 hours later
    await generic(T0, { summary: 'disk 91% on host-7', dedupKey: 'disk-host-7', service: 'checkout' });
    await generic(T0 + 2 * MIN, { dedupKey: 'disk-host-7', service: 'checkout', status: 'acknowledged' });
    await generic(T0 + 10 * MIN, { dedupKey: 'disk-host-7', service: 'checkout', status: 'resolved' });
    // MTTA is measured on incidents: checkout's, opened a minute in, acknowledged 2 minutes after it opened
    clock.set(T0 + MIN);
    const opened = await server.request('POST', '/api/v1/incidents', { title: 'checkout disk', service: 'checkout', by: 'alice' });
    expect(opened.status).toBe(201);
    clock.set(T0 + 3 * MIN);
    expect((await server.request('POST', `/api/v1/incidents/${opened.body.id}/ack`, { by: 'alice' })).status).toBe(200);
    await generic(T0 + 3 * HOUR, { summary: 'disk 95% on host-7', dedupKey: 'disk-host-7', service: 'checkout' });
    // Prometheus: cart's disk resolved by its endsAt after 30 minutes; frontend's instance still down
    const cartDisk = { labels: { alertname: 'DiskFull', instance: 'host-2', service: 'cart' }, annotations: { summary: 'disk 93% on host-2' } };
    await prometheus(T0 + HOUR, cartDisk);
    await prometheus(T0 + 90 * MIN, { ...cartDisk, endsAt: iso(T0 + 90 * MIN) });
    await prometheus(T0 + 2 * HOUR, { labels: { alertname: 'InstanceDown', instance: '10.0.3.7:9100', service: 'frontend' }, annotations: { summary: 'Instance 10.0.3.7:9100 down' } });
    // no service, so no team
    await generic(T0 + 3 * HOUR, { summary: 'Queue depth over 10k' });
    await remediation('checkout', 'succeeded', T0 + 20 * MIN, 15);
    await remediation('checkout', 'failed', T0 + 30 * MIN, 15);
    clock.set(NOW);
  });
  afterEach(async () => server.stop());

  it('ranks alert templates over the last 7 days, for everyone or for one team', async () => {
    const all = await server.request('GET', '/api/v1/reports/pareto');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      team: null,
      service: null,
      since: iso(NOW - 7 * DAY),
      until: iso(NOW),
      total: 5,
      templates: 3,
      entries: [
        { template: 'disk <pct> on <host>', count: 3, share: 0.6, cumulativeShare: 0.6, services: ['cart', 'checkout'], example: 'disk 95% on host-7', lastSeen: iso(T0 + 3 * HOUR) },
        { template: 'Queue depth over <num>', count: 1, share: 0.2, cumulativeShare: 0.8, services: [], example: 'Queue depth over 10k', lastSeen: iso(T0 + 3 * HOUR) },
        { template: 'Instance <ip> down', count: 1, share: 0.2, cumulativeShare: 1, services: ['frontend'], example: 'Instance 10.0.3.7:9100 down', lastSeen: iso(T0 + 2 * HOUR) },
      ],
    });

    const payments = (await server.request('GET', '/api/v1/reports/pareto?team=payments')).body;
    expect(payments).toMatchObject({ team: 'payments', total: 3, entries: [{ template: 'disk <pct> on <host>', count: 3, share: 1 }] });
    const cart = (await server.request('GET', '/api/v1/reports/pareto?team=payments&service=cart')).body;
    expect(cart).toMatchObject({ service: 'cart', total: 1, entries: [{ example: 'disk 93% on host-2' }] });
    const web = (await server.request('GET', '/api/v1/reports/pareto?team=web')).body;
    expect(web.entries.map((e: { template: string }) => e.template)).toEqual(['Instance <ip> down']);

    const month = (await server.request('GET', '/api/v1/reports/pareto?since=30d&limit=1')).body;
    expect(month).toMatchObject({ since: iso(NOW - 30 * DAY), total: 6, templates: 3, entries: [{ count: 4, cumulativeShare: 0.6667 }] });
    const between = (await server.request('GET', `/api/v1/reports/pareto?since=${iso(T0 + HOUR)}&until=${encodeURIComponent('2026-11-20T11:00:00+01:00')}`)).body;
    expect(between).toMatchObject({ since: iso(T0 + HOUR), until: iso(T0 + 2 * HOUR), total: 1, entries: [{ example: 'disk 93% on host-2' }] });
  });

  it('refuses an unknown team, a time it cannot read, an empty window and a service of another team', async () => {
    const team = await server.request('GET', '/api/v1/reports/pareto?team=paymnts');
    expect(team.status).toBe(404);
    expect(team.body.error).toEqual({ code: 'not_found', message: 'no team named "paymnts" owns a service (did you mean "payments"?)' });
    expect((await server.request('GET', '/api/v1/reports/teams?team=ops')).body.error.message).toBe('no team named "ops" owns a service (teams: payments, web)');

    const since = await server.request('GET', '/api/v1/reports/pareto?since=last-week');
    expect(since.status).toBe(400);
    expect(since.body.error.code).toBe('invalid_request');
    expect(since.body.error.fields[0].field).toBe('since');
    expect(since.body.error.message).toMatch(/^since: "last-week" is not a duration before now such as 7d/);
    const unit = await server.request('GET', '/api/v1/reports/teams?since=7days');
    expect(unit.body.error.message).toMatch(/^since: "7days" is not a duration/);
    const zone = await server.request('GET', '/api/v1/reports/pareto?until=2026-11-20T10:00');
    expect(zone.body.error.message).toBe('until: "2026-11-20T10:00" has no time zone; add Z (UTC) or an offset such as +02:00');
    const feb30 = await server.request('GET', '/api/v1/reports/pareto?since=2026-02-30');
    expect(feb30.body.error.message).toBe('since: "2026-02-30" is not a valid date and time');
    const empty = await server.request('GET', '/api/v1/reports/teams?since=1d&until=2d');
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0].field).toBe('since');

    const service = await server.request('GET', '/api/v1/reports/pareto?team=payments&service=frontend');
    expect(service.status).toBe(400);
    expect(service.body.error.message).toBe('service: "frontend" is owned by team web, not payments (its services: cart, checkout)');
    const limit = await server.request('GET', '/api/v1/reports/pareto?limit=0');
    expect(limit.body.error.fields[0].field).toBe('limit');
    const unknown = await server.request('GET', '/api/v1/reports/teams?window=7d');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].field).toBe('window');
  });

  it('gives MTTA, MTTR, the auto-remediation rate and minutes saved per team and service', async () => {
    const res = await server.request('GET', '/api/v1/reports/teams');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ since: iso(NOW - 7 * DAY), until: iso(NOW) });
    const none = { count: 0, mean: null, p50: null, p90: null };
    expect(res.body.teams).toEqual([
      {
        team: 'payments',
        services: [
          { service: 'cart', alerts: 1, mtta: none, mttr: { count: 1, mean: 1800, p50: 1800, p90: 1800 }, remediations: { succeeded: 0, approvedByHuman: 0, failed: 0, escalated: 0, skipped: 0 }, autoRemediationRate: null, minutesSaved: 0 },
          {
            service: 'checkout',
            alerts: 2,
            mtta: { count: 1, mean: 120, p50: 120, p90: 120 },
            mttr: { count: 1, mean: 600, p50: 600, p90: 600 },
            remediations: { succeeded: 1, approvedByHuman: 0, failed: 1, escalated: 0, skipped: 0 },
            autoRemediationRate: 0.5,
            minutesSaved: 15,
          },
        ],
        // No SLO in this config: each team says so with an empty list.
        slos: [],
      },
      { team: 'web', services: [{ service: 'frontend', alerts: 1, mtta: none, mttr: none, remediations: { succeeded: 0, approvedByHuman: 0, failed: 0, escalated: 0, skipped: 0 }, autoRemediationRate: null, minutesSaved: 0 }], slos: [] },
      { team: null, services: [{ service: null, alerts: 1, mtta: none, mttr: none, remediations: { succeeded: 0, approvedByHuman: 0, failed: 0, escalated: 0, skipped: 0 }, autoRemediationRate: null, minutesSaved: 0 }], slos: [] },
    ]);
    const web = (await server.request('GET', '/api/v1/reports/teams?team=web&since=1d')).body;
    expect(web).toMatchObject({ since: iso(NOW - DAY), teams: [{ team: 'web', services: [{ service: 'frontend', alerts: 1 }] }] });
  });

  it('prints both reports from the CLI, as tables and as JSON', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    const cli = (...args: string[]) => reportCommand().parseAsync([...args, '--url', server.url], { from: 'user' });
    try {
      await cli('pareto', '--team', 'payments', '--limit', '1');
      expect(lines[0]).toBe('alerts fired 2026-11-13 12:00 to 2026-11-20 12:00 UTC (team payments): 3 firing(s), 1 template(s)');
      expect(lines[1]).toMatch(/^#\s+COUNT\s+SHARE\s+CUMULATIVE\s+LAST\s+SERVICES\s+TEMPLATE\n1\s+3\s+100\.0%\s+100\.0%\s+2026-11-20 11:00\s+cart,checkout\s+disk <pct> on <host>$/);

      lines.length = 0;
      await cli('pareto', '--since', '30d', '--limit', '1', '--json');
      expect(JSON.parse(lines.join('\n'))).toMatchObject({ total: 6, templates: 3, entries: [{ template: 'disk <pct> on <host>' }] });

      lines.length = 0;
      await cli('pareto', '--limit', '2');
      expect(lines.at(-1)).toBe('(1 more template(s); raise --limit to see them)');

      lines.length = 0;
      await cli('teams', '--team', 'payments');
      const table = lines.slice(1).join('\n');
      expect(table).toMatch(/TEAM\s+SERVICE\s+ALERTS\s+MTTA\s+MTTR\s+AUTO-FIXED\s+MINUTES SAVED/);
      expect(table).toMatch(/payments\s+checkout\s+2\s+2m \/ 2m \(1\)\s+10m \/ 10m \(1\)\s+50\.0% \(1 of 2\)\s+15/);
      expect(table).toMatch(/payments\s+cart\s+1\s+-\s+30m \/ 30m \(1\)\s+-\s+0/);

      await expect(cli('teams', '--team', 'nobody')).rejects.toThrow('no team named "nobody" owns a service');
    } finally {
      log.mockRestore();
    }
  });
});
