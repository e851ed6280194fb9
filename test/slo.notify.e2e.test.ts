import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { smtpSinkForBlock } from './support/smtpSink.js';
import { sloMinutes } from './support/sloMinutes.js';
import { ticketTeamConfig } from './support/ticketTeam.js';

// A one-day window: its ticket tier (3× over 48 minutes) fires within the hour.
const config = `${ticketTeamConfig}---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  objective: 99.9
  window: 1d
  indicator: { events: {} }
`;

describeEachStore('SLO policy: a burn files a ticket for the team, a page raises it, and the team hears when the budget is at risk and spent', (kind) => {
  const smtp = smtpSinkForBlock(beforeAll, afterAll);
  const mailTo = (name: string) => smtp.mailTo(name).map((m) => m.subject);
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());
  const minute = sloMinutes(() => server, () => clock, 'checkout-availability');
  const incidents = async () => (await server.request('GET', '/api/v1/incidents')).body.incidents as any[];
  const sendPages = async () => {
    await server.paging.runOnce();
    await server.paging.runOnce();
  };

  it('opens one low-urgency incident at the ticket tier, raises it when the burn pages, and tells the team at risk and exhausted', async () => {
    smtp.messages().length = 0;
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    // A big quiet morning: the budget is large, so a slow burn spends little of it.
    await minute(1_000_000, 0);
    for (let m = 0; m < 50; m++) await minute(1000, 0);
    let ticketAfter = -1;
    for (let m = 1; m <= 60 && ticketAfter < 0; m++) {
      await minute(996, 4);
      if ((await incidents()).length > 0) ticketAfter = m;
    }
    expect(ticketAfter).toBeGreaterThan(0);
    const [ticket] = await incidents();
    expect(ticket).toMatchObject({ service: 'checkout', urgency: 'low', status: 'open' });
    await sendPages();
    expect(mailTo('alice')).toEqual([`[ticket] [prodeng] Incident #${ticket.id}: ${ticket.title}`]);
    expect(mailTo('oncall')).toEqual([]);

    // Checkout breaks: the fast tier pages, on the same incident.
    await minute(300, 700);
    await sendPages();
    expect(await incidents()).toHaveLength(1);
    expect((await incidents())[0]).toMatchObject({ id: ticket.id, urgency: 'high' });
    expect(mailTo('oncall')).toEqual([`[prodeng] Incident #${ticket.id}: ${ticket.title}`]);
    // 860 of about 1,090 allowed bad events: the budget is at risk, and the team is told once.
    expect(mailTo('alice').filter((s) => /SLO checkout-availability is at risk: \d+\.\d% of its error budget left/.test(s!))).toHaveLength(1);
    expect(mailTo('bob').filter((s) => /is at risk/.test(s!))).toHaveLength(1);

    await minute(0, 1000);
    await minute(0, 1000);
    await sendPages();
    expect(mailTo('alice').filter((s) => s === '[prodeng] SLO checkout-availability has used its whole error budget')).toHaveLength(1);
    expect(mailTo('oncall').filter((s) => /SLO/.test(s!) && !/Incident/.test(s!))).toEqual([]);
    const detail = (await server.request('GET', '/api/v1/slos/checkout-availability')).body;
    expect(detail.policyEvents.map((e: any) => `${e.state} ${e.action}`).sort()).toEqual(['at-risk notify', 'at-risk notify', 'exhausted notify', 'exhausted notify']);
    expect(detail.policyEvents.every((e: any) => /^told (alice|bob) of team shop by email: emailed/.test(e.detail))).toBe(true);
  });
});
