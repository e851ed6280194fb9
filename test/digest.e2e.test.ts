import Fastify, { type FastifyInstance } from 'fastify';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { digestRoutes } from '../src/api/digestRoutes.js';
import { digestCommand } from '../src/cli/digestCommand.js';
import { pagingDirectoryFrom } from '../src/paging/directory.js';
import type { DigestTeams } from '../src/reports/digest.js';
import { startDailyDigests, teamEmailsFrom } from '../src/reports/digestSchedule.js';
import { ManualClock } from '../src/store/clock.js';
import type { RemediationStatus } from '../src/store/schema.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const doc = (kind: string, name: string, spec: string) => `apiVersion: prodeng/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
const config = [
  doc('User', 'alice', '{ email: alice@example.com }'),
  doc('User', 'bob', '{ email: bob@example.com }'),
  doc('User', 'carol', '{ displayName: Carol }'),
  doc('Team', 'payments', '{ members: [{ user: alice }, { user: bob }] }'),
  doc('Team', 'web', '{ members: [{ user: carol }] }'),
  doc('Service', 'cart', '{ owner: payments }'),
  doc('Service', 'checkout', '{ owner: payments }'),
  doc('Service', 'frontend', '{ owner: web }'),
  doc('Host', 'cart-1', '{ address: "10.0.0.5:8080", service: cart }'),
  doc('Host', 'checkout-1', '{ address: "10.0.0.6:8080", service: checkout }'),
].join('---\n');

const DAY = '2026-11-20';
const T = Date.parse(`${DAY}T00:00:00Z`);
const MIN = 60_000;
const HOUR = 60 * MIN;
// The next morning at 08:00: the last 24 hours are [T + 8h, T + 32h).
const NOW = T + 32 * HOUR;
const HOSTILE = 'checkout <img src=x onerror=alert(1)> down';

describeEachStore('daily digest: from a seeded day to the team\'s mailbox', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  let digestApi: FastifyInstance;
  let digestUrl: string;
  let teams: DigestTeams;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => smtp?.stop());

  async function post(at: number, path: string, body: unknown) {
    clock.set(at);
    const res = await server.request('POST', path, body);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  }

  async function probe(service: string, host: string, at: number, latencyMs: number, ok: boolean) {
    // The probe scheduler's output, as it writes it.
    await server.store.db.insertInto('probe_results').values({ probe: 'http', host, service, ok: ok ? 1 : 0, latency_ms: latencyMs, detail: ok ? 'GET /healthz: 200' : 'GET /healthz: 503', at }).execute();
  }

  async function remediation(service: string, status: RemediationStatus, finishedAt: number, manualMinutes: number) {
    await server.store.db
      .insertInto('remediations')
      .values({
        runbook: 'restart', target: `${service}-1`, service, scope: null, status, reason: status, dry_run: 0, alert_id: 1, alert_ids: '[1]', plan: '{}',
        rung: 0, step_index: 0, step_in_progress: 0, verify_deadline: null, approval_deadline: null, approval: null,
        manual_minutes: manualMinutes, created_at: finishedAt - MIN, updated_at: finishedAt, started_at: finishedAt - MIN, finished_at: finishedAt,
      })
      .execute();
  }

  beforeEach(async () => {
    smtp.messages.length = 0;
    process.env.PRODENG_SMTP_URL = smtp.url;
    process.env.PRODENG_SMTP_FROM = 'prodeng@example.com';
    clock = new ManualClock(T);
    server = await startTestServer(kind, { clock, configYaml: config });
    teams = {
      serviceOwners: new Map([...server.config.services.values()].map((s) => [s.name, s.spec.owner])),
      teamEmails: teamEmailsFrom(pagingDirectoryFrom(server.config)),
    };
    // The routes beside the running server, over its store and clock (as buildApi mounts them).
    digestApi = Fastify();
    digestRoutes(digestApi, { store: server.store, clock }, teams);
    digestUrl = await digestApi.listen({ port: 0, host: '127.0.0.1' });

    // cart: 10 checks of 100..1000 ms at 10:00..10:09, one failed (90%); checkout: 4 of 20 ms, all passed
    for (let i = 1; i <= 10; i++) await probe('cart', 'cart-1', T + 10 * HOUR + i * MIN, i * 100, i !== 7);
    for (let i = 0; i < 4; i++) await probe('checkout', 'checkout-1', T + 11 * HOUR + i * MIN, 20, true);
    await probe('frontend', 'frontend-1', T + 11 * HOUR, 5000, false);

    // alerts through intake
    await post(T + 9 * HOUR, '/api/v1/intake/generic', { summary: 'disk 91% on cart-1', dedupKey: 'disk-cart-1', service: 'cart' });
    await post(T + 10 * HOUR, '/api/v1/intake/generic', { summary: 'disk 95% on checkout-1', dedupKey: 'disk-checkout-1', service: 'checkout' });
    await post(T + 12 * HOUR, '/api/v1/intake/generic', { summary: HOSTILE, dedupKey: 'checkout-down', service: 'checkout' });
    await post(T + 12 * HOUR, '/api/v1/intake/generic', { summary: 'frontend slow', dedupKey: 'fe-slow', service: 'frontend' });

    // incidents through the API, one acknowledged
    const disk = await post(T + 9 * HOUR + 5 * MIN, '/api/v1/incidents', { title: 'cart-1 disk filling up', service: 'cart', by: 'alice' });
    await post(T + 9 * HOUR + 20 * MIN, `/api/v1/incidents/${disk.id}/ack`, { by: 'bob' });
    await post(T + 12 * HOUR, '/api/v1/incidents', { title: HOSTILE, service: 'checkout', by: 'alice' });
    await post(T + 12 * HOUR, '/api/v1/incidents', { title: 'frontend slow for EU users', service: 'frontend', by: 'carol' });

    await remediation('cart', 'succeeded', T + 9 * HOUR + 30 * MIN, 20);
    await remediation('checkout', 'failed', T + 10 * HOUR + 30 * MIN, 20);
    clock.set(NOW);
  });

  afterEach(async () => {
    delete process.env.PRODENG_SMTP_URL;
    delete process.env.PRODENG_PROMETHEUS_URL;
    await digestApi?.close();
    await server?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(digestUrl + path);
    return { status: res.status, body: (await res.json()) as any };
  };
  const send = async (body: unknown) => {
    const res = await fetch(`${digestUrl}/api/v1/reports/digest/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers the digest data for a UTC day, and for the last 24 hours by default', async () => {
    const day = await get(`/api/v1/reports/digest?team=payments&date=${DAY}`);
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({
      team: 'payments',
      date: DAY,
      since: '2026-11-20T00:00:00.000Z',
      until: '2026-11-21T00:00:00.000Z',
      services: ['cart', 'checkout'],
      recipients: ['alice@example.com', 'bob@example.com'],
      health: [
        // nearest rank over 10: the 5th and the 10th
        { service: 'cart', checks: 10, passed: 9, availability: 0.9, latencyP50Ms: 500, latencyP95Ms: 1000 },
        { service: 'checkout', checks: 4, passed: 4, availability: 1, latencyP50Ms: 20, latencyP95Ms: 20 },
      ],
      disk: { measured: false, reason: 'not measured (set PRODENG_PROMETHEUS_URL)' },
      pareto: { total: 3, templates: 2, entries: [{ template: 'disk <pct> on <host>', count: 2, services: ['cart', 'checkout'] }, { count: 1, example: HOSTILE }] },
      incidents: [
        { title: 'cart-1 disk filling up', status: 'acknowledged', acknowledgedBy: 'bob', service: 'cart', createdAt: '2026-11-20T09:05:00.000Z', acknowledgedAt: '2026-11-20T09:20:00.000Z' },
        { title: HOSTILE, status: 'open', acknowledgedBy: null },
      ],
      remediations: { finished: 2, byStatus: { succeeded: 1, approvedByHuman: 0, failed: 1, escalated: 0, skipped: 0 }, minutesSaved: 20 },
    });

    // 08:00 to 08:00: the checks at 10:00 and 11:00, the alerts from 09:00, not the night before 08:00
    const rolling = (await get('/api/v1/reports/digest?team=payments')).body;
    expect(rolling).toMatchObject({ date: '2026-11-21', since: '2026-11-20T08:00:00.000Z', until: '2026-11-21T08:00:00.000Z', pareto: { total: 3 } });
    const before = (await get('/api/v1/reports/digest?team=payments&date=2026-11-19')).body;
    expect(before).toMatchObject({ pareto: { total: 0 }, incidents: [], health: [{ service: 'cart', checks: 0, availability: null }, { service: 'checkout', checks: 0 }] });
  });

  it('refuses an unknown team, a day that does not exist and unknown parameters', async () => {
    const team = await get('/api/v1/reports/digest?team=paymnts');
    expect(team.status).toBe(404);
    expect(team.body.error).toEqual({ code: 'not_found', message: 'no team named "paymnts" owns a service (did you mean "payments"?)' });
    const date = await get('/api/v1/reports/digest?team=payments&date=2026-02-30');
    expect(date.status).toBe(400);
    expect(date.body.error).toMatchObject({ code: 'invalid_request', message: 'date: is not a valid date' });
    expect((await get('/api/v1/reports/digest?team=payments&date=yesterday')).body.error.message).toBe('date: must be a day as YYYY-MM-DD (UTC), e.g. 2026-11-20');
    expect((await get('/api/v1/reports/digest')).body.error.fields[0].field).toBe('team');
    expect((await get('/api/v1/reports/digest?team=payments&since=1d')).body.error.fields[0].field).toBe('since');
  });

  it('measures disk through a Prometheus query API when PRODENG_PROMETHEUS_URL is set', async () => {
    const queries: string[] = [];
    const prometheus: Server = createServer((req, res) => {
      queries.push(new URL(req.url!, 'http://x').searchParams.get('query') ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: { instance: '10.0.0.5:9100', mountpoint: '/' }, value: [NOW / 1000, '91.5'] }] },
        }),
      );
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      process.env.PRODENG_PROMETHEUS_URL = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
      process.env.PRODENG_DIGEST_DISK_QUERY = 'disk_used_percent{job="node"}';
      const { body } = await get('/api/v1/reports/digest?team=payments');
      expect(queries).toEqual(['disk_used_percent{job="node"}']);
      expect(body.disk).toMatchObject({
        measured: true,
        query: 'disk_used_percent{job="node"}',
        hosts: [
          { host: 'cart-1', usedPercent: 91.5, filesystems: [{ mountpoint: '/', usedPercent: 91.5 }] },
          { host: 'checkout-1', usedPercent: null },
        ],
        unmatchedInstances: [],
      });
    } finally {
      delete process.env.PRODENG_DIGEST_DISK_QUERY;
      await new Promise((resolve) => prometheus.close(resolve));
    }
  });

  it('sends one email to the team, with plain text and HTML parts, and says what it sent', async () => {
    const sent = await send({ team: 'payments', date: DAY });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ team: 'payments', date: DAY, subject: `[prodeng] Daily digest for team payments — ${DAY}`, to: ['alice@example.com', 'bob@example.com'], sent: true, problem: null });
    expect(sent.body.detail).toMatch(/^emailed alice@example.com, bob@example.com/);
    expect(JSON.stringify(sent.body)).not.toContain(smtp.url);

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe(`[prodeng] Daily digest for team payments — ${DAY}`);
    expect(mail.from?.text).toBe('prodeng@example.com');
    expect(Array.isArray(mail.to) ? mail.to.map((t) => t.text) : mail.to?.text).toBe('alice@example.com, bob@example.com');
    expect(mail.text).toMatch(/cart\s+90\.00% \(9 of 10\)\s+500 ms\s+1000 ms/);
    expect(mail.text).toMatch(/checkout\s+100\.00% \(4 of 4\)\s+20 ms\s+20 ms/);
    expect(mail.text).toContain('1. 2× disk <pct> on <host> (66.7%, cumulative 66.7%) [cart, checkout]');
    expect(mail.text).toMatch(/#\d+ \[acknowledged by bob\] cart-1 disk filling up \(cart\): opened 2026-11-20 09:05 UTC, acknowledged 2026-11-20 09:20 UTC/);
    expect(mail.text).toContain('2 finished (1 succeeded, 1 failed, 0 escalated, 0 skipped); 20 minutes of manual work saved');
    expect(mail.html).toBeTruthy();
    const html = mail.html as string;
    expect(html).toContain('checkout &lt;img src=x onerror=alert(1)&gt; down');
    expect(html).not.toContain('<img');
    expect(html).toContain('90.00% (9 of 10)');
  });

  it('says why it did not send: nobody to mail, or no SMTP server configured', async () => {
    const web = await send({ team: 'web' });
    expect(web.status).toBe(409);
    expect(web.body.error).toEqual({ code: 'no_recipients', message: 'team web has no member with an email address' });
    delete process.env.PRODENG_SMTP_URL;
    const unconfigured = await send({ team: 'payments' });
    expect(unconfigured.status).toBe(503);
    expect(unconfigured.body.error).toEqual({ code: 'email_not_configured', message: 'email is not configured: set PRODENG_SMTP_URL (e.g. smtp://mail.internal:25)' });
    expect((await send({ team: 'ops' })).status).toBe(404);
    expect(smtp.messages).toHaveLength(0);
  });

  it('prints and sends from the CLI: text, HTML, JSON', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    const cli = (...args: string[]) => digestCommand().parseAsync([...args, '--url', digestUrl], { from: 'user' });
    try {
      await cli('--team', 'payments', '--date', DAY, '--print');
      const text = lines.join('\n');
      expect(text).toMatch(/^Daily digest for team payments — 2026-11-20\n/);
      expect(text).toMatch(/cart\s+90\.00% \(9 of 10\)\s+500 ms\s+1000 ms/);
      expect(text).toContain('Disk capacity\n  not measured (set PRODENG_PROMETHEUS_URL)');

      lines.length = 0;
      await cli('--team', 'payments', '--date', DAY, '--html');
      expect(lines.join('\n')).toContain('checkout &lt;img src=x onerror=alert(1)&gt; down');

      lines.length = 0;
      await cli('--team', 'payments', '--json');
      expect(JSON.parse(lines.join('\n'))).toMatchObject({ team: 'payments', date: '2026-11-21' });

      lines.length = 0;
      await cli('--team', 'payments', '--date', DAY, '--send');
      expect(lines).toEqual([`sent "[prodeng] Daily digest for team payments — ${DAY}" to alice@example.com, bob@example.com`]);
      expect(smtp.messages).toHaveLength(1);

      await expect(cli('--team', 'nobody')).rejects.toThrow('no team named "nobody" owns a service (teams: payments, web)');
    } finally {
      log.mockRestore();
    }
  });

  it('mails every team on the cron, only once this replica leads, and logs what it could not send', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => void (logs.push(JSON.parse(String(chunk))), done()) }));
    const stop = startDailyDigests({ db: server.store.db, clock, logger, teams, isLeader: () => server.maintenance.isLeader(), cron: '* * * * * *' });
    const waitUntil = async (what: string, ok: () => boolean) => {
      for (const deadline = Date.now() + 5000; !ok(); await new Promise((r) => setTimeout(r, 50))) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    };
    try {
      // Not the leader yet (the maintenance loop has not run): a few ticks pass without a digest.
      await new Promise((r) => setTimeout(r, 1500));
      expect(server.maintenance.isLeader()).toBe(false);
      expect(smtp.messages).toHaveLength(0);

      await server.maintenance.runOnce();
      expect(server.maintenance.isLeader()).toBe(true);
      // a run mails payments, then finds nobody to mail in web, then logs both
      await waitUntil('the scheduled digests', () => logs.some((l) => l.team === 'web'));
    } finally {
      stop();
    }
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe('[prodeng] Daily digest for team payments — 2026-11-21');
    expect(mail.text).toContain('2026-11-20 08:00 UTC to 2026-11-21 08:00 UTC');
    expect(mail.html).toContain('<h2>Daily digest for team payments — 2026-11-21</h2>');
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'daily digest sent', team: 'payments', to: ['alice@example.com', 'bob@example.com'] }));
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'daily digest not sent', team: 'web', detail: 'team web has no member with an email address' }));
    expect(JSON.stringify(logs)).not.toContain(smtp.url);
  });
});
