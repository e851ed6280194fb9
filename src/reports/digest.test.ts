import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { freePort } from '../../test/support/peers.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { handOverToHuman } from '../incidents/handover.js';
import { eventFromGeneric, genericEventSchema } from '../intake/genericEvents.js';
import { ingestEvents } from '../intake/ingest.js';
import { ServiceDirectory } from '../intake/serviceDirectory.js';
import type { PagingDirectory } from '../paging/directory.js';
import type { HostState, RemediationStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { buildDigest, DEFAULT_DISK_QUERY, prometheusFromEnv, utcDay } from './digest.js';
import { digestSubject, renderDigestHtml, renderDigestText } from './digestRender.js';
import { digestSettingsFromEnv, scheduleDigests, teamEmailsFrom } from './digestSchedule.js';

const DAY = '2026-11-20';
const { since: T, until: END } = utcDay(DAY);
const MIN = 60_000;
const HOUR = 60 * MIN;
const PAYMENTS = ['cart', 'checkout', 'ledger'];
const HOSTILE = '<script>alert("pwned")</script> & \'friends\'';

/** A real HTTP server answering Prometheus's instant-query API from a table of PromQL → answer. */
async function startFakePrometheus(answers: Record<string, { status: number; body: unknown }>) {
  const requests: Array<{ path: string; query: string | null; time: string | null; authorization: string | undefined }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = url.searchParams.get('query');
    requests.push({ path: url.pathname, query, time: url.searchParams.get('time'), authorization: req.headers.authorization });
    const answer = url.pathname.endsWith('/api/v1/query') && query !== null ? answers[query] : undefined;
    res.writeHead(answer?.status ?? 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer?.body ?? { status: 'error', errorType: 'not_found', error: 'no such query in this test' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const vector = (samples: Array<[Record<string, string>, string]>) => ({
  status: 200,
  body: { status: 'success', data: { resultType: 'vector', result: samples.map(([metric, value]) => ({ metric: { __name__: 'disk_used', ...metric }, value: [END / 1000, value] })) } },
});

describeEachStore('daily digest', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;

  async function alert(at: number, event: Record<string, unknown>) {
    await ingestEvents(store, [eventFromGeneric(genericEventSchema.parse(event), { services: new ServiceDirectory([]) })], at);
  }

  async function probe(service: string, at: number, latencyMs: number, ok: boolean) {
    await store.db.insertInto('probe_results').values({ probe: `${service}-http`, host: `${service}-1`, service, ok: ok ? 1 : 0, latency_ms: latencyMs, detail: ok ? 'GET /healthz: 200' : 'GET /healthz: 503', at }).execute();
  }

  async function remediation(service: string, status: RemediationStatus, finishedAt: number | null, manualMinutes: number) {
    await store.db
      .insertInto('remediations')
      .values({
        runbook: 'fix-disk', target: `${service}-1`, service, scope: null, status, reason: status, dry_run: 0, alert_id: 1, alert_ids: '[1]', plan: '{}',
        rung: 0, step_index: 0, step_in_progress: 0, verify_deadline: null, approval_deadline: null, approval: null,
        manual_minutes: manualMinutes, created_at: T, updated_at: T, started_at: T, finished_at: finishedAt,
      })
      .execute();
  }

  async function incident(at: number, title: string, service: string | null, team: string | null = null) {
    const id = await handOverToHuman(store.db, { title, service, remediationId: null, alertIds: [], story: [] }, at);
    if (team) await store.db.updateTable('incidents').set({ team }).where('id', '=', id).execute();
    return id;
  }

  async function host(name: string, address: string | null, service: string, state: HostState = 'in_service') {
    await store.db
      .insertInto('hosts')
      .values({ name, pool: null, service, cluster: null, address, labels: '{}', provider: 'static', provider_ref: null, state, state_reason: 'test', origin: 'config', replaces: null, drained_by: null, created_at: T, updated_at: T, state_changed_at: T })
      .execute();
  }

  const digest = (prometheus?: { url: string; diskQuery: string }) =>
    buildDigest(store.db, { team: 'payments', services: PAYMENTS, recipients: ['alice@example.com', 'bob@example.com'], since: T, until: END, prometheus });

  beforeEach(async () => {
    store = fresh();
    // cart: 20 checks 10..200 ms, the slowest one failed (95%); the day before, a failure that must not count
    for (let i = 1; i <= 20; i++) await probe('cart', T + i * 10 * MIN, i * 10, i !== 20);
    await probe('cart', T - 1, 99_999, false);
    // checkout: 4 checks, two failed, one a timeout (50%)
    await probe('checkout', T + HOUR, 5, true);
    await probe('checkout', T + 2 * HOUR, 7.5, true);
    await probe('checkout', T + 3 * HOUR, 9, false);
    await probe('checkout', T + 4 * HOUR, 1000, false);
    // ledger: never probed. frontend: another team's
    await probe('frontend', T + HOUR, 3, false);

    // alerts, through intake: 7 templates for payments, plus other teams' and the day after's
    await alert(T + 1 * HOUR, { summary: 'disk 91% on host-7', dedupKey: 'disk-7', service: 'checkout' });
    await alert(T + 2 * HOUR, { summary: 'disk 93% on host-2', dedupKey: 'disk-2', service: 'cart' });
    await alert(T + 3 * HOUR, { summary: 'disk 97% on host-3', dedupKey: 'disk-3', service: 'cart' });
    await alert(T + 4 * HOUR, { summary: 'Instance 10.0.3.7:9100 down', dedupKey: 'up-7', service: 'cart' });
    await alert(T + 5 * HOUR, { summary: 'Instance 10.0.3.8:9100 down', dedupKey: 'up-8', service: 'cart' });
    for (const [i, summary] of ['Payment gateway timeout', 'Ledger replication lagging', 'Card tokenizer unreachable', 'Checkout error budget burning', HOSTILE].entries()) {
      await alert(T + (6 + i) * HOUR, { summary, dedupKey: `other-${i}`, service: i === 1 ? 'ledger' : 'checkout' });
    }
    await alert(T + HOUR, { summary: 'Frontend is slow', dedupKey: 'fe', service: 'frontend' });
    await alert(END, { summary: 'disk 99% on host-9', dedupKey: 'disk-9', service: 'cart' });

    // incidents: two of the team's services, one paged to the team without a service, another team's, and yesterday's
    const acked = await incident(T + 2 * HOUR, 'cart writes fail: disk full on cart-1', 'cart');
    await store.db.updateTable('incidents').set({ status: 'acknowledged', acknowledged_by: 'bob', acknowledged_at: T + 2 * HOUR + 5 * MIN }).where('id', '=', acked).execute();
    await incident(T + 9 * HOUR, HOSTILE, 'checkout');
    await incident(T + 10 * HOUR, 'payments on-call page test', null, 'payments');
    await incident(T + 3 * HOUR, 'frontend 5xx', 'frontend', 'web');
    await incident(T - HOUR, 'yesterday: ledger stuck', 'ledger');

    // remediations finished in the day: 2 succeeded (15 + 10 min), 1 failed, 1 escalated, 1 skipped; others not counted
    await remediation('checkout', 'succeeded', T + HOUR, 15);
    await remediation('cart', 'succeeded', T + 2 * HOUR, 10);
    await remediation('cart', 'failed', T + 3 * HOUR, 10);
    await remediation('checkout', 'escalated', T + 4 * HOUR, 30);
    await remediation('cart', 'skipped', T + 5 * HOUR, 10);
    await remediation('checkout', 'running', null, 30);
    await remediation('frontend', 'succeeded', T + HOUR, 60);
    await remediation('cart', 'succeeded', T - 1, 60);
  });

  it('gathers a seeded day: availability and p50/p95 per service, the top 5 alerts, incidents and remediations', async () => {
    const d = await digest();
    expect(d).toMatchObject({ team: 'payments', date: DAY, since: '2026-11-20T00:00:00.000Z', until: '2026-11-21T00:00:00.000Z', services: PAYMENTS, recipients: ['alice@example.com', 'bob@example.com'] });
    expect(d.health).toEqual([
      // nearest rank over 20 sorted latencies: the 10th (100) and the 19th (190)
      { service: 'cart', checks: 20, passed: 19, availability: 0.95, latencyP50Ms: 100, latencyP95Ms: 190 },
      // over 4: the 2nd and the 4th; the failed timeout counts, users waited for it
      { service: 'checkout', checks: 4, passed: 2, availability: 0.5, latencyP50Ms: 7.5, latencyP95Ms: 1000 },
      { service: 'ledger', checks: 0, passed: 0, availability: null, latencyP50Ms: null, latencyP95Ms: null },
    ]);
    expect(d.disk).toEqual({ measured: false, reason: 'not measured (set PRODENG_PROMETHEUS_URL)' });

    expect(d.pareto).toMatchObject({ total: 10, templates: 7 });
    expect(d.pareto.entries.map((e) => [e.template, e.count, e.services])).toEqual([
      ['disk <pct> on <host>', 3, ['cart', 'checkout']],
      ['Instance <ip> down', 2, ['cart']],
      // ties: the most recent first
      // the template of the hostile title: still markup, to be escaped
      ['<script>alert(<quoted>)</script> & <quoted>', 1, ['checkout']],
      ['Checkout error budget burning', 1, ['checkout']],
      ['Card tokenizer unreachable', 1, ['checkout']],
    ]);

    expect(d.incidents.map((i) => [i.title, i.status, i.acknowledgedBy])).toEqual([
      ['cart writes fail: disk full on cart-1', 'acknowledged', 'bob'],
      [HOSTILE, 'open', null],
      ['payments on-call page test', 'open', null],
    ]);
    expect(d.incidents[0]).toMatchObject({ service: 'cart', createdAt: '2026-11-20T02:00:00.000Z', acknowledgedAt: '2026-11-20T02:05:00.000Z', resolvedAt: null });
    expect(d.remediations).toEqual({ finished: 5, byStatus: { succeeded: 2, approvedByHuman: 0, failed: 1, escalated: 1, skipped: 1 }, minutesSaved: 25 });
  });

  it('renders plain text with the percentages, latencies, Pareto lines, incidents and remediation counts', async () => {
    const d = await digest();
    expect(digestSubject(d)).toBe('[prodeng] Daily digest for team payments — 2026-11-20');
    const text = renderDigestText(d);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Daily digest for team payments — 2026-11-20');
    expect(lines[1]).toBe('2026-11-20 00:00 UTC to 2026-11-21 00:00 UTC; services: cart, checkout, ledger');
    expect(text).toMatch(/SERVICE\s+AVAILABILITY\s+P50\s+P95/);
    expect(text).toMatch(/\n {2}cart\s+95\.00% \(19 of 20\)\s+100 ms\s+190 ms\n/);
    expect(text).toMatch(/\n {2}checkout\s+50\.00% \(2 of 4\)\s+7\.5 ms\s+1000 ms\n/);
    expect(text).toMatch(/\n {2}ledger\s+no probe checks\s+-\s+-\n/);
    expect(text).toContain('Disk capacity\n  not measured (set PRODENG_PROMETHEUS_URL)\n');
    expect(text).toContain('Top alerts (5 of 7 template(s), 10 firing(s))');
    expect(text).toContain('  1. 3× disk <pct> on <host> (30.0%, cumulative 30.0%) [cart, checkout]');
    expect(text).toContain('  2. 2× Instance <ip> down (20.0%, cumulative 50.0%) [cart]');
    expect(text).toContain('  5. 1× Card tokenizer unreachable (10.0%, cumulative 80.0%) [checkout]');
    expect(text).not.toContain('Ledger replication');
    expect(text).toContain('Incidents opened (3)');
    expect(text).toMatch(/ {2}#\d+ \[acknowledged by bob\] cart writes fail: disk full on cart-1 \(cart\): opened 2026-11-20 02:00 UTC, acknowledged 2026-11-20 02:05 UTC\n/);
    expect(text).toMatch(/ {2}#\d+ \[open\] payments on-call page test: opened 2026-11-20 10:00 UTC\n/);
    expect(text).not.toContain('frontend');
    expect(text).not.toContain('yesterday');
    expect(text).toContain('Remediations\n  5 finished (2 succeeded, 1 failed, 1 escalated, 1 skipped); 25 minutes of manual work saved\n');
  });

  it('renders HTML with every value escaped, a hostile alert and incident title included', async () => {
    const html = renderDigestHtml(await digest());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;friends&#39;');
    expect(html).toContain('&lt;script&gt;alert(&lt;quoted&gt;)&lt;/script&gt; &amp; &lt;quoted&gt;');
    // once in the Pareto table (as its template), once in the incidents
    expect(html.split('&lt;script&gt;').length - 1).toBe(2);
    expect(html).toContain('<title>[prodeng] Daily digest for team payments — 2026-11-20</title>');
    expect(html).toMatch(/<td [^>]*>cart<\/td><td [^>]*>95\.00% \(19 of 20\)<\/td><td [^>]*>100 ms<\/td><td [^>]*>190 ms<\/td>/);
    expect(html).toContain('<p>not measured (set PRODENG_PROMETHEUS_URL)</p>');
    expect(html).toContain('<p>5 finished (2 succeeded, 1 failed, 1 escalated, 1 skipped); 25 minutes of manual work saved</p>');
  });

  describe('disk capacity from Prometheus', () => {
    let prometheus: Awaited<ReturnType<typeof startFakePrometheus>>;
    afterEach(async () => prometheus?.stop());

    beforeEach(async () => {
      await host('cart-1', '10.0.0.5:8080', 'cart');
      await host('cart-2', '10.0.0.6:8080', 'cart');
      await host('checkout-1', null, 'checkout');
      await host('cart-old', '10.0.0.9:8080', 'cart', 'decommissioned');
      await host('frontend-1', '10.0.0.7:8080', 'frontend');
      prometheus = await startFakePrometheus({
        [DEFAULT_DISK_QUERY]: vector([
          [{ instance: '10.0.0.5:9100', mountpoint: '/', fstype: 'ext4' }, '91.5'],
          [{ instance: '10.0.0.5:9100', mountpoint: '/data', fstype: 'xfs' }, '40.2'],
          // a zero-sized filesystem: 0/0
          [{ instance: '10.0.0.6:9100', mountpoint: '/boot', fstype: 'vfat' }, 'NaN'],
          [{ instance: 'checkout-1', mountpoint: '/' }, '63'],
          [{ instance: '10.0.0.7:9100', mountpoint: '/' }, '12'],
          [{ instance: '10.0.0.99:9100', mountpoint: '/' }, '10'],
        ]),
        'bad(': { status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' } },
        'sum(up)': { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [END / 1000, '3'] } } },
      });
    });

    it('maps the query API answer to the team\'s hosts by instance, at the end of the window', async () => {
      const d = await digest({ url: prometheus.url, diskQuery: DEFAULT_DISK_QUERY });
      expect(prometheus.requests).toEqual([{ path: '/api/v1/query', query: DEFAULT_DISK_QUERY, time: String(END / 1000), authorization: undefined }]);
      expect(d.disk).toEqual({
        measured: true,
        source: `${prometheus.url}/`,
        query: DEFAULT_DISK_QUERY,
        at: '2026-11-21T00:00:00.000Z',
        hosts: [
          { host: 'cart-1', address: '10.0.0.5:8080', service: 'cart', usedPercent: 91.5, filesystems: [{ mountpoint: '/', usedPercent: 91.5 }, { mountpoint: '/data', usedPercent: 40.2 }] },
          { host: 'cart-2', address: '10.0.0.6:8080', service: 'cart', usedPercent: null, filesystems: [] },
          { host: 'checkout-1', address: null, service: 'checkout', usedPercent: 63, filesystems: [{ mountpoint: '/', usedPercent: 63 }] },
        ],
        // frontend-1's series is another team's host: unmatched here, as is an instance prodeng does not know
        unmatchedInstances: ['10.0.0.7:9100', '10.0.0.99:9100'],
      });
      const text = renderDigestText(d);
      expect(text).toContain('Disk capacity (Prometheus, at 2026-11-21 00:00 UTC)');
      expect(text).toMatch(/\n {2}cart-1\s+10\.0\.0\.5:8080\s+91\.5%\s+\/ 91\.5%, \/data 40\.2%\n/);
      expect(text).toMatch(/\n {2}cart-2\s+10\.0\.0\.6:8080\s+no data\s+-\n/);
      expect(text).toMatch(/\n {2}checkout-1\s+-\s+63\.0%\s+\/ 63\.0%\n/);
      expect(text).toContain('(series of instances matching no host: 10.0.0.7:9100, 10.0.0.99:9100)');
    });

    it('sends basic auth from the URL as a header and never shows the password', async () => {
      const d = await digest({ url: `http://digest:s3cret@127.0.0.1:${prometheus.port}/`, diskQuery: DEFAULT_DISK_QUERY });
      expect(prometheus.requests[0]!.authorization).toBe(`Basic ${Buffer.from('digest:s3cret').toString('base64')}`);
      expect(d.disk).toMatchObject({ measured: true, source: `http://digest:***@127.0.0.1:${prometheus.port}/` });
      expect(JSON.stringify(d)).not.toContain('s3cret');
    });

    it('says why the disk was not measured when the query fails, is not a vector, or Prometheus is down', async () => {
      expect((await digest({ url: prometheus.url, diskQuery: 'bad(' })).disk).toEqual({
        measured: false,
        reason: `Prometheus at ${prometheus.url}/: the disk query failed: bad_data: 1:5: parse error: unclosed left parenthesis`,
      });
      expect((await digest({ url: prometheus.url, diskQuery: 'sum(up)' })).disk).toMatchObject({ measured: false, reason: expect.stringContaining('gave a scalar, not an instant vector') });
      // a port nothing listens on
      const port = await freePort();
      const down = (await digest({ url: `http://127.0.0.1:${port}`, diskQuery: DEFAULT_DISK_QUERY })).disk;
      expect(down).toEqual({ measured: false, reason: `Prometheus at http://127.0.0.1:${port}/: no answer (ECONNREFUSED)` });
      expect(renderDigestText(await digest({ url: `http://127.0.0.1:${port}`, diskQuery: DEFAULT_DISK_QUERY }))).toContain(`Disk capacity\n  Prometheus at http://127.0.0.1:${port}/: no answer (ECONNREFUSED)\n`);
    });
  });
});

describe('digest settings and recipients', () => {
  it('reads Prometheus from the environment, with the default disk query', () => {
    expect(prometheusFromEnv({})).toBeUndefined();
    expect(prometheusFromEnv({ PRODENG_PROMETHEUS_URL: 'http://prom:9090' })).toEqual({ url: 'http://prom:9090', diskQuery: DEFAULT_DISK_QUERY });
    expect(prometheusFromEnv({ PRODENG_PROMETHEUS_URL: 'http://prom:9090', PRODENG_DIGEST_DISK_QUERY: 'disk_used_percent' })).toEqual({ url: 'http://prom:9090', diskQuery: 'disk_used_percent' });
  });

  it('checks the schedule at startup: default 08:00, "off", or an error naming the variable', () => {
    expect(digestSettingsFromEnv({})).toEqual({ ok: true, cron: '0 8 * * *', timeZone: undefined });
    expect(digestSettingsFromEnv({ PRODENG_DIGEST_CRON: 'off' })).toEqual({ ok: true, cron: null, timeZone: undefined });
    expect(digestSettingsFromEnv({ PRODENG_DIGEST_CRON: '30 7 * * 1-5', PRODENG_DIGEST_TIME_ZONE: 'Europe/Berlin' })).toEqual({ ok: true, cron: '30 7 * * 1-5', timeZone: 'Europe/Berlin' });
    const bad = digestSettingsFromEnv({ PRODENG_DIGEST_CRON: '61 8 * * *' });
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/^PRODENG_DIGEST_CRON "61 8 \* \* \*": .*minute.*\(e\.g\. "0 8 \* \* \*", or "off"\)$/) });
    expect(digestSettingsFromEnv({ PRODENG_DIGEST_TIME_ZONE: 'Mars/Olympus' })).toMatchObject({ ok: false, message: expect.stringContaining('"Mars/Olympus" is not an IANA time zone') });
  });

  it('mails a team\'s members by their email contact, else their email', () => {
    const dir = {
      users: new Map([
        ['alice', { email: 'alice@example.com' }],
        ['bob', { email: 'bob@example.com', contacts: [{ type: 'email', address: 'bob+pager@example.com' }] }],
        ['carol', {}],
      ]),
      teams: new Map([['payments', { members: [{ user: 'bob' }, { user: 'alice' }, { user: 'carol' }] }], ['web', {}]]),
    } as unknown as PagingDirectory;
    const emails = teamEmailsFrom(dir);
    expect(emails('payments')).toEqual(['alice@example.com', 'bob+pager@example.com']);
    expect(emails('web')).toEqual([]);
    expect(emails('nobody')).toEqual([]);
  });
});

describe('the digest schedule', () => {
  const waitUntil = async (what: string, ok: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('sends on the cron on the leader, and only asks on a follower', async () => {
    let leaderSends = 0;
    let followerSends = 0;
    let followerAsked = 0;
    const everySecond = '* * * * * *';
    const stopLeader = scheduleDigests({ cron: everySecond, isLeader: () => true, send: async () => void leaderSends++ });
    const stopFollower = scheduleDigests({ cron: everySecond, isLeader: () => (followerAsked++, false), send: async () => void followerSends++ });
    try {
      await waitUntil('two scheduled sends', () => leaderSends >= 2, 4000);
      expect(followerAsked).toBeGreaterThanOrEqual(1);
      expect(followerSends).toBe(0);
    } finally {
      stopLeader();
      stopFollower();
    }
    const after = leaderSends;
    await new Promise((r) => setTimeout(r, 1200));
    expect(leaderSends).toBe(after);
  });

  it('reports a failed send and keeps the schedule; refuses a pattern or zone it cannot read', async () => {
    const errors: unknown[] = [];
    const stop = scheduleDigests({ cron: '* * * * * *', isLeader: () => true, send: async () => Promise.reject(new Error('SMTP down')), onError: (err) => errors.push(err) });
    try {
      await waitUntil('two failures', () => errors.length >= 2, 4000);
      expect((errors[0] as Error).message).toBe('SMTP down');
    } finally {
      stop();
    }
    expect(() => scheduleDigests({ cron: 'daily', isLeader: () => true, send: async () => undefined })).toThrow(/^digest schedule "daily": /);
    expect(() => scheduleDigests({ cron: '0 8 * * *', timeZone: 'Mars/Olympus', isLeader: () => true, send: async () => undefined })).toThrow('digest schedule "0 8 * * *" in Mars/Olympus: "Mars/Olympus" is not an IANA time zone');
  });
});
