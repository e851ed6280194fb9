import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const people = ['alice', 'bob', 'carol', 'newbie']
  .map((u) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${u} }\nspec: { email: ${u}@example.com, timeZone: Europe/Berlin }\n`)
  .join('---\n');

const config = `${people}---
apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: { members: [{ user: alice, role: swe }, { user: bob, role: pe }] }
---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-primary }
spec:
  team: payments
  timeZone: Europe/Berlin
  layers:
    - name: weekly
      rotation: { every: 1w, handoff: "Mon 09:00" }
      start: "2026-11-02T09:00:00"
      participants: [alice, bob]
  overrides:
    - { user: carol, replaces: bob, from: "2026-11-11T00:00:00", to: "2026-11-12T00:00:00" }
  shadows:
    - { user: newbie, follows: { layer: weekly }, from: "2026-11-02T00:00:00", to: "2026-12-01T00:00:00" }
`;

describeEachStore('on-call API', (kind) => {
  let server: TestServer;
  afterEach(async () => server?.stop());

  it('answers who is on call at any time, with shadows, and lists shifts over a range', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config });
    const now = (await server.request('GET', '/api/v1/oncall?team=payments')).body;
    expect(now.oncall).toEqual([
      { schedule: 'payments-primary', team: 'payments', user: 'bob', layer: 'weekly' },
      { schedule: 'payments-primary', team: 'payments', user: 'newbie', shadowing: 'bob' },
    ]);
    const override = (await server.request('GET', '/api/v1/oncall?at=2026-11-11T12:00:00%2B01:00')).body.oncall;
    expect(override.filter((e: any) => !e.shadowing).map((e: any) => e.user)).toEqual(['carol']);
    const shifts = (await server.request('GET', '/api/v1/schedules/payments-primary/shifts?from=2026-11-09T00:00:00Z&to=2026-11-17T00:00:00Z')).body.shifts;
    expect(shifts.map((s: any) => `${s.start} ${s.users.join()}`)).toEqual([
      '2026-11-09T00:00:00.000Z alice',
      '2026-11-09T08:00:00.000Z bob',
      '2026-11-10T23:00:00.000Z carol',
      '2026-11-11T23:00:00.000Z bob',
      '2026-11-16T08:00:00.000Z alice',
    ]);
    const bad = await server.request('GET', '/api/v1/oncall?at=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^at: /);
    expect((await server.request('GET', '/api/v1/schedules/nope/shifts')).status).toBe(404);
  });

  it('serves iCalendar feeds per schedule and per user that a calendar app can subscribe to', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config });
    const feed = await fetch(`${server.url}/api/v1/schedules/payments-primary/calendar.ics`);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await feed.text();
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(text).toContain('SUMMARY:On call: bob\r\n');
    expect(text).toContain('DTSTART:20261109T080000Z');
    const newbie = await (await fetch(`${server.url}/api/v1/users/newbie/calendar.ics`)).text();
    expect(newbie).toContain('SUMMARY:Shadowing bob (payments-primary)');
  });

  it('with API tokens, a feed needs the signature from the schedule list, and nothing else does without a token', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config, apiTokens: ['s3cret-token'] });
    const auth = { authorization: 'Bearer s3cret-token' };
    expect((await server.request('GET', '/api/v1/oncall')).status).toBe(401);
    const list = (await server.request('GET', '/api/v1/schedules', undefined, auth)).body.schedules;
    expect(list[0].calendarUrl).toMatch(/^\/api\/v1\/schedules\/payments-primary\/calendar\.ics\?sig=[\w-]{32}$/);
    expect((await fetch(`${server.url}/api/v1/schedules/payments-primary/calendar.ics`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/schedules/payments-primary/calendar.ics?sig=wrong`)).status).toBe(401);
    expect((await fetch(`${server.url}${list[0].calendarUrl}`)).status).toBe(200);
  });
});
