import ICAL from 'ical.js';
import nodeIcal from 'node-ical';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 14: iCalendar feeds as calendar apps read them. A calendar app that
// subscribes to a feed matches what it already shows by UID, and takes a
// changed event only when its SEQUENCE went up; so a shift must keep its UID
// whenever the feed is fetched, be given whole even where it crosses the
// feed's window (7 days back, 90 ahead), and an override must change the
// event it touches under the same UID with a higher SEQUENCE. Every feed is
// read with two real parsers, ical.js (Thunderbird's) and node-ical.

const people = ['alice', 'bob', 'carol', 'dave']
  .map((u) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${u} }\nspec: { email: ${u}@example.com, timeZone: Europe/Berlin }\n`)
  .join('---\n');

// Weekly from Mon 2026-11-02 09:00 Berlin (08:00 UTC): alice, bob, alice, bob...
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
`;

const NOW = Date.parse('2026-11-10T12:00:00Z');
const SCHEDULE_FEED = '/api/v1/schedules/payments-primary/calendar.ics';

interface Ev {
  uid: string;
  sequence: number;
  summary: string;
  start: string;
  end: string;
}

function withIcalJs(text: string): Ev[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((c) => {
    const e = new ICAL.Event(c);
    return { uid: e.uid, sequence: e.sequence ?? 0, summary: e.summary, start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString() };
  });
}

function withNodeIcal(text: string): Ev[] {
  // node-ical keys events by UID: two events sharing one would collapse into one here.
  return Object.values(nodeIcal.sync.parseICS(text))
    .filter((c): c is nodeIcal.VEvent => c?.type === 'VEVENT')
    .map((e) => ({ uid: e.uid, sequence: Number(e.sequence ?? 0), summary: String(e.summary), start: e.start.toISOString(), end: e.end?.toISOString() ?? 'no DTEND' }));
}

const byStart = (a: Ev, b: Ev) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid);

/** The feed's events in time order; both parsers must read the same ones. */
async function feed(server: TestServer, path = SCHEDULE_FEED): Promise<Ev[]> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const a = withIcalJs(text).sort(byStart);
  const b = withNodeIcal(text).sort(byStart);
  expect(b).toEqual(a);
  expect(new Set(a.map((e) => e.uid)).size).toBe(a.length);
  return a;
}

const at = (events: Ev[], start: string) => {
  const found = events.filter((e) => e.start === start);
  expect(found, `one event starting at ${start}`).toHaveLength(1);
  return found[0]!;
};

describeEachStore('iCalendar feeds read by ical.js and node-ical', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());
  const start = async () => {
    clock = new ManualClock(NOW);
    server = await startTestServer(kind, { clock, configYaml: config });
  };

  it('a shift keeps its UID (and its start and end) when the feed is fetched again later', async () => {
    await start();
    for (const path of [SCHEDULE_FEED, '/api/v1/users/alice/calendar.ics']) {
      const first = await feed(server, path);
      clock.set(NOW + 3 * 86_400_000 + 5 * 3_600_000); // three days and five hours later
      const later = await feed(server, path);
      clock.set(NOW);
      // Every shift of the first fetch that the later one still covers (it reaches 7 days back) is the same event.
      const windowStart = new Date(NOW + 3 * 86_400_000 + 5 * 3_600_000 - 7 * 86_400_000).toISOString();
      const stillCovered = first.filter((e) => e.end > windowStart);
      expect(stillCovered.length).toBeGreaterThan(5);
      const laterByUid = new Map(later.map((e) => [e.uid, e]));
      for (const e of stillCovered) expect(laterByUid.get(e.uid), `${path}: ${e.summary} from ${e.start}`).toEqual(e);
    }
  });

  it('a shift that crosses the edge of the feed\'s window is given whole, with its real start and end', async () => {
    await start();
    // Now is Tue 2026-11-10 12:00 UTC: the window is 2026-11-03 12:00 to 2027-02-08 12:00.
    const events = await feed(server);
    expect(events[0]).toMatchObject({ summary: 'On call: alice', start: '2026-11-02T08:00:00.000Z', end: '2026-11-09T08:00:00.000Z' });
    expect(events[events.length - 1]).toMatchObject({ summary: 'On call: alice', start: '2027-02-08T08:00:00.000Z', end: '2027-02-15T08:00:00.000Z' });
    expect(events).toHaveLength(15);
    const alices = await feed(server, '/api/v1/users/alice/calendar.ics');
    expect(alices[0]).toMatchObject({ start: '2026-11-02T08:00:00.000Z', end: '2026-11-09T08:00:00.000Z' });
    expect(alices[alices.length - 1]).toMatchObject({ start: '2027-02-08T08:00:00.000Z', end: '2027-02-15T08:00:00.000Z' });
  });

  it('an override changes the event it touches under the same UID, with a higher SEQUENCE each time, cancelling too', async () => {
    await start();
    const BOBS_WEEK = '2026-11-23T08:00:00.000Z';
    const before = at(await feed(server), BOBS_WEEK);
    expect(before).toMatchObject({ summary: 'On call: bob', end: '2026-11-30T08:00:00.000Z' });
    const bobsBefore = at(await feed(server, '/api/v1/users/bob/calendar.ics'), BOBS_WEEK);

    // carol takes bob's whole week
    const created = await server.request('POST', '/api/v1/schedules/payments-primary/overrides', { user: 'carol', replaces: 'bob', from: BOBS_WEEK, to: '2026-11-30T08:00:00Z', reason: 'swap' });
    expect(created.status).toBe(201);
    const covered = at(await feed(server), BOBS_WEEK);
    expect(covered).toMatchObject({ uid: before.uid, summary: 'On call: carol', start: BOBS_WEEK, end: '2026-11-30T08:00:00.000Z' });
    expect(covered.sequence).toBeGreaterThan(before.sequence);
    // bob's own feed no longer has the week; carol's has it
    expect((await feed(server, '/api/v1/users/bob/calendar.ics')).map((e) => e.uid)).not.toContain(bobsBefore.uid);
    expect(at(await feed(server, '/api/v1/users/carol/calendar.ics'), BOBS_WEEK)).toMatchObject({ summary: 'On call: payments-primary', end: '2026-11-30T08:00:00.000Z' });

    // cancelled: bob again, still the same event, and a higher SEQUENCE again (a calendar app takes the change)
    expect((await server.request('DELETE', `/api/v1/schedules/payments-primary/overrides/${created.body.id}`)).status).toBe(204);
    const back = at(await feed(server), BOBS_WEEK);
    expect(back).toMatchObject({ uid: before.uid, summary: 'On call: bob', end: '2026-11-30T08:00:00.000Z' });
    expect(back.sequence).toBeGreaterThan(covered.sequence);
    const bobsBack = at(await feed(server, '/api/v1/users/bob/calendar.ics'), BOBS_WEEK);
    expect(bobsBack.uid).toBe(bobsBefore.uid);
    expect(bobsBack.sequence).toBeGreaterThan(bobsBefore.sequence);
  });

  it('an override of part of a shift: the shift keeps its UID with its new end and a higher SEQUENCE, the cover is an event of its own', async () => {
    await start();
    const ALICES_WEEK = '2026-11-16T08:00:00.000Z';
    const before = await feed(server);
    const alice = at(before, ALICES_WEEK);
    expect(alice).toMatchObject({ summary: 'On call: alice', end: '2026-11-23T08:00:00.000Z' });

    // dave covers alice on Wednesday the 18th (Berlin)
    const created = await server.request('POST', '/api/v1/schedules/payments-primary/overrides', { user: 'dave', replaces: 'alice', from: '2026-11-18T00:00:00+01:00', to: '2026-11-19T00:00:00+01:00' });
    expect(created.status).toBe(201);
    const after = await feed(server);
    const shortened = at(after, ALICES_WEEK);
    expect(shortened).toMatchObject({ uid: alice.uid, summary: 'On call: alice', end: '2026-11-17T23:00:00.000Z' });
    expect(shortened.sequence).toBeGreaterThan(alice.sequence);
    expect(at(after, '2026-11-17T23:00:00.000Z')).toMatchObject({ summary: 'On call: dave', end: '2026-11-18T23:00:00.000Z' });
    expect(at(after, '2026-11-18T23:00:00.000Z')).toMatchObject({ summary: 'On call: alice', end: '2026-11-23T08:00:00.000Z' });
    // the other shifts are untouched: same UIDs, same SEQUENCE
    const untouched = (events: Ev[]) => events.filter((e) => e.start < '2026-11-16' || e.start >= '2026-11-23');
    expect(untouched(after)).toEqual(untouched(before));
  });
});
