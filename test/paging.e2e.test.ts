import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';

const user = (name: string) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${name} }\nspec: { email: ${name}@example.com, timeZone: Europe/Berlin }\n`;

const config = [
  ...['alice', 'bob', 'newbie'].map(user),
  `apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: { members: [{ user: alice, role: swe }, { user: bob, role: pe }], escalationPolicy: payments-pages }
`,
  `apiVersion: prodeng/v1
kind: Service
metadata: { name: payments-api }
spec: { owner: payments }
`,
  `apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-primary }
spec:
  team: payments
  timeZone: Europe/Berlin
  layers: [{ name: primary, rotation: { every: 1w, handoff: "Mon 09:00" }, start: "2026-11-02T09:00:00", participants: [alice] }]
  shadows: [{ user: newbie, follows: { layer: primary }, from: "2026-11-01T00:00:00", to: "2026-12-01T00:00:00" }]
`,
  `apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-secondary }
spec:
  team: payments
  timeZone: Europe/Berlin
  layers: [{ name: secondary, rotation: { every: 1w, handoff: "Mon 09:00" }, start: "2026-11-02T09:00:00", participants: [bob] }]
`,
  `apiVersion: prodeng/v1
kind: EscalationPolicy
metadata: { name: payments-pages }
spec:
  steps:
    - { delay: 5m, targets: [{ schedule: payments-primary }] }
    - { delay: 10m, targets: [{ schedule: payments-secondary }] }
`,
  `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-payments }
spec:
  match: { alertname: PaymentsDown }
  target: "{{ labels.instance }}"
  steps: [{ name: restart, action: exec, with: { argv: ["false"] } }]
  onFailure: [{ action: escalate }]
`,
].join('---\n');

describeEachStore('paging: an unfixable alert reaches the right human, with the whole story', (kind) => {
  let smtp: SmtpSink;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    process.env.PRODENG_SMTP_URL = smtp.url;
    process.env.PRODENG_SMTP_FROM = 'prodeng@example.com';
  });
  afterAll(async () => {
    delete process.env.PRODENG_SMTP_URL;
    await smtp?.stop();
  });
  afterEach(async () => server?.stop());

  const mailTo = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === address);

  it('pages the primary (and copies the shadow), escalates to the secondary, stops on the signed link, and resolves', async () => {
    smtp.messages.length = 0;
    const clock = new ManualClock(Date.parse('2026-11-10T12:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'PaymentsDown', instance: 'pay-1', service: 'payments-api' }, annotations: { summary: 'payments API does not answer' } }]);
    await server.remediation.runOnce();
    const [incident] = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incident).toMatchObject({ status: 'open', service: 'payments-api' });

    await server.paging.runOnce(); // step 1: who to page
    await server.paging.runOnce(); // the emails
    expect(mailTo('alice@example.com')).toHaveLength(1);
    const alicesPage = mailTo('alice@example.com')[0]!;
    expect(alicesPage.subject).toBe(`[prodeng] Incident #${incident.id}: ${incident.title}`);
    expect(alicesPage.text).toContain('restart: false exited with 1');
    expect(alicesPage.text).toMatch(/Acknowledge: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/incidents\/\d+\/ack-link\?user=alice&sig=/);
    const copy = mailTo('newbie@example.com');
    expect(copy).toHaveLength(1);
    expect(copy[0]!.subject).toMatch(/^\[shadow\] /);
    expect(copy[0]!.text).toContain('You are shadowing alice');
    expect(copy[0]!.text).not.toContain('Acknowledge:');
    expect(mailTo('bob@example.com')).toHaveLength(0);

    // Nobody acknowledges within step 1's delay: the secondary is paged.
    clock.advance(5 * 60_000);
    await server.paging.runOnce();
    await server.paging.runOnce();
    const bobsPage = mailTo('bob@example.com');
    expect(bobsPage).toHaveLength(1);

    // The shadow cannot acknowledge for the primary, but can add a note.
    const shadowAck = await server.request('POST', `/api/v1/incidents/${incident.id}/ack`, { by: 'newbie' });
    expect(shadowAck.status).toBe(403);
    expect((await server.request('POST', `/api/v1/incidents/${incident.id}/notes`, { by: 'newbie', text: 'watching: payments 502s on the dashboard' })).status).toBe(200);

    // Bob acknowledges with the link in his page.
    const link = /Acknowledge: (\S+)/.exec(bobsPage[0]!.text!)![1]!;
    const forged = await fetch(link.replace('user=bob', 'user=mallory'));
    expect(forged.status).toBe(403);
    // Opening the link (as a mail scanner would) shows a page and acknowledges nothing.
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Acknowledge as bob');
    expect((await server.request('GET', `/api/v1/incidents/${incident.id}`)).body.status).toBe('open');
    // Its button posts the form back to the link.
    const ack = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URL(link).search.slice(1) });
    expect(ack.status).toBe(200);
    expect(await ack.text()).toContain(`Acknowledged by bob`);

    // Acknowledged: no more pages, however long it waits.
    clock.advance(30 * 60_000);
    await server.paging.runOnce();
    await server.paging.runOnce();
    expect(smtp.messages).toHaveLength(3);

    const resolved = await server.request('POST', `/api/v1/incidents/${incident.id}/resolve`, { by: 'bob', note: 'payments DB failover' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const alert = (await server.request('GET', '/api/v1/alerts')).body.alerts[0];
    expect(alert.status).toBe('resolved');

    const story = resolved.body.timeline.map((t: any) => `${t.source}:${t.kind}`);
    for (const expected of [
      'alert:alert.firing',
      'remediation:matched',
      'remediation:step.finished',
      'incident:opened',
      'incident:paged',
      'incident:notified',
      'incident:acknowledged',
      'incident:note',
      'incident:resolved',
      'alert:alert.resolved',
    ]) {
      expect(story).toContain(expected);
    }
    const lines = resolved.body.timeline.map((t: any) => t.message);
    expect(lines).toContainEqual(expect.stringMatching(/^step 1 of 2: paging alice \(on call in payments-primary\); copies to shadows newbie$/));
    expect(lines).toContainEqual(expect.stringMatching(/^step 2 of 2: paging bob \(on call in payments-secondary\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^copy to shadow newbie by email: emailed newbie@example.com/));
    expect(lines).toContainEqual('acknowledged by bob (link in the page); escalation stopped');

    const postmortem = await (await fetch(`${server.url}/api/v1/incidents/${incident.id}/postmortem`)).text();
    expect(postmortem).toMatch(/^# Postmortem: /);
    expect(postmortem).toContain('| Acknowledged | 2026-11-10T12:05:00.000Z by bob (after 5 min) |');
    expect(postmortem).toContain('watching: payments 502s on the dashboard');
  }, 30_000);

  it('a page-severity alert no runbook handles opens an incident; more trouble of the service joins it instead of paging again', async () => {
    smtp.messages.length = 0;
    const clock = new ManualClock(Date.parse('2026-11-10T12:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CardDeclinesSpike', severity: 'page', service: 'payments-api' }, annotations: { summary: 'card declines at 40%' } }]);
    let incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ title: 'card declines at 40%', service: 'payments-api', status: 'open' });
    // A warning of the same service, and a failed remediation of it, join the open incident.
    clock.advance(60_000);
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'LatencyHigh', severity: 'warning', service: 'payments-api' }, annotations: { summary: 'p99 latency 2s' } }]);
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'PaymentsDown', instance: 'pay-2', service: 'payments-api' } }]);
    await server.remediation.runOnce();
    incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].alertIds).toHaveLength(3);
    await server.paging.runOnce();
    await server.paging.runOnce();
    expect(smtp.messages.filter((m) => !m.subject?.startsWith('[shadow]'))).toHaveLength(1);
    const story = (await server.request('GET', `/api/v1/incidents/${incidents[0].id}`)).body.timeline.filter((t: any) => t.kind === 'grouped').map((t: any) => t.message);
    expect(story).toEqual([
      expect.stringMatching(/^alert \d+ of payments-api fired: p99 latency 2s \(alert \d+\)$/),
      expect.stringMatching(/^alert \d+ of payments-api fired: PaymentsDown/),
      expect.stringMatching(/^grouped: restart-payments could not fix pay-2/),
    ]);
  }, 30_000);

  it('pages by generic webhook and Slack-style webhook too, retrying a failing receiver, and never writes the URL anywhere', async () => {
    const { createServer } = await import('node:http');
    const received: Array<{ path: string; body: any }> = [];
    let failuresLeft = 1;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/hooks/slack-secret-token' && failuresLeft-- > 0) return void res.writeHead(503).end();
        received.push({ path: req.url!, body: JSON.parse(body) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    process.env.CAROL_WEBHOOK = `${base}/hooks/generic-secret-token`;
    process.env.CAROL_SLACK = `${base}/hooks/slack-secret-token`;
    try {
      const clock = new ManualClock(Date.parse('2026-11-10T12:00:00Z'));
      const withCarol = config
        .replace('participants: [alice] }]', 'participants: [carol] }]')
        .replace(user('alice'), `${user('alice')}---\napiVersion: prodeng/v1\nkind: User\nmetadata: { name: carol }\nspec: { contacts: [{ type: webhook, urlEnv: CAROL_WEBHOOK }, { type: slack, urlEnv: CAROL_SLACK }] }\n`);
      server = await startTestServer(kind, { clock, configYaml: withCarol });
      const opened = await server.request('POST', '/api/v1/incidents', { title: 'checkout is slow', service: 'payments-api', by: 'dana' });
      expect(opened.status).toBe(201);
      await server.paging.runOnce();
      await server.paging.runOnce();
      clock.advance(3000); // the Slack receiver failed once: the retry is due after 2 s
      await server.paging.runOnce();
      const generic = received.find((r) => r.path === '/hooks/generic-secret-token')!;
      expect(generic.body).toMatchObject({ event: 'incident.page', incident: opened.body.id, title: 'checkout is slow', service: 'payments-api', to: 'carol' });
      expect(generic.body.ackUrl).toMatch(/\/ack-link\?user=carol&sig=/);
      const slack = received.find((r) => r.path === '/hooks/slack-secret-token')!;
      expect(slack.body.text).toContain('*Incident #');
      const detail = await server.request('GET', `/api/v1/incidents/${opened.body.id}`);
      const timeline = JSON.stringify(detail.body);
      expect(timeline).toContain('paged carol by webhook');
      expect(timeline).toContain('paged carol by slack');
      expect(timeline).not.toContain('secret-token');
    } finally {
      receiver.close();
      delete process.env.CAROL_WEBHOOK;
      delete process.env.CAROL_SLACK;
    }
  }, 30_000);
});
