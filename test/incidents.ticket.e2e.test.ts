import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { smtpSinkForBlock } from './support/smtpSink.js';
import { ticketTeamConfig } from './support/ticketTeam.js';


describeEachStore('tickets: a severity ticket alert opens a low-urgency incident that tells the team and pages nobody, until a page joins it', (kind) => {
  const smtp = smtpSinkForBlock(beforeAll, afterAll);
  const mailTo = smtp.mailTo;
  let server: TestServer;
  afterEach(async () => server?.stop());

  it('tells each member of the owning team once, escalates nothing, and pages on call when a page-severity alert of the service joins it', async () => {
    smtp.messages().length = 0;
    const clock = new ManualClock(Date.parse('2026-12-01T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: ticketTeamConfig });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'DiskFillingSlowly', job: 'checkout', severity: 'ticket' }, annotations: { summary: 'checkout disk full in 5 days' } }]);
    const [ticket, ...others] = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(others).toHaveLength(0);
    expect(ticket).toMatchObject({ service: 'checkout', status: 'open', urgency: 'low' });

    await server.paging.runOnce();
    await server.paging.runOnce();
    expect(mailTo('alice')).toHaveLength(1);
    expect(mailTo('bob')).toHaveLength(1);
    expect(mailTo('alice')[0]!.subject).toBe(`[ticket] [prodeng] Incident #${ticket.id}: checkout disk full in 5 days`);
    expect(mailTo('alice')[0]!.text).toContain('nobody is paged');
    expect(mailTo('oncall')).toHaveLength(0);

    // Hours pass: a ticket does not escalate, nor is anyone told again.
    clock.advance(3 * 3_600_000);
    await server.paging.runOnce();
    await server.paging.runOnce();
    expect(smtp.messages()).toHaveLength(2);
    const quiet = (await server.request('GET', `/api/v1/incidents/${ticket.id}`)).body;
    expect(quiet.timeline.filter((t: any) => t.kind === 'paged')).toHaveLength(0);
    expect(quiet.timeline.map((t: any) => t.kind)).toContain('team-notified');

    // Well past the grouping window, a page of the same service joins the ticket and raises it: one incident, now paging.
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CheckoutDown', job: 'checkout', severity: 'page' }, annotations: { summary: 'checkout answers 503' } }]);
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: ticket.id, urgency: 'high' });
    await server.paging.runOnce();
    await server.paging.runOnce();
    expect(mailTo('oncall')).toHaveLength(1);
    expect(mailTo('oncall')[0]!.subject).toBe(`[prodeng] Incident #${ticket.id}: checkout disk full in 5 days`);
    const raised = (await server.request('GET', `/api/v1/incidents/${ticket.id}`)).body;
    expect(raised.timeline.find((t: any) => t.kind === 'urgency.raised').message).toContain('checkout answers 503');
    expect(raised.alertIds).toHaveLength(2);
  });

  it('opens a ticket by hand through the API, and names the field when the urgency is wrong', async () => {
    server = await startTestServer(kind, { configYaml: ticketTeamConfig });
    const bad = await server.request('POST', '/api/v1/incidents', { title: 'rotate TLS certs', service: 'checkout', urgency: 'whenever' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('urgency');
    const made = await server.request('POST', '/api/v1/incidents', { title: 'rotate TLS certs', service: 'checkout', urgency: 'low' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ urgency: 'low' });
    expect(made.body.timeline[0].message).toContain('low urgency');
  });
});
