import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { scheduleSpecSchema, type ScheduleSpec } from './scheduleKind.js';
import { onCallAt, shiftsBetween } from './rotation.js';

const schedule = (spec: unknown): ScheduleSpec => scheduleSpecSchema.parse(spec);
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const who = (spec: ScheduleSpec, iso: string) => onCallAt(spec, utc(iso)).users;

describe('rotation arithmetic', () => {
  const payments = schedule({
    team: 'payments',
    timeZone: 'Europe/Berlin',
    layers: [{ name: 'weekly', rotation: { every: '1w', handoff: 'Mon 09:00' }, start: '2026-11-02T09:00:00', participants: ['alice', 'bob'] }],
  });

  it('hands off on Monday 09:00 Berlin time in winter and in summer', () => {
    expect(who(payments, '2026-11-02T07:59:00Z')).toEqual([]); // before the schedule starts
    expect(who(payments, '2026-11-02T08:00:00Z')).toEqual(['alice']); // 09:00 CET
    expect(who(payments, '2026-11-09T07:59:00Z')).toEqual(['alice']);
    expect(who(payments, '2026-11-09T08:00:00Z')).toEqual(['bob']);
    // Summer time starts 2027-03-28: the 21st hand-off is still 09:00 local, now 07:00 UTC.
    expect(who(payments, '2027-03-29T06:59:00Z')).toEqual(['alice']);
    expect(who(payments, '2027-03-29T07:00:00Z')).toEqual(['bob']);
    // And back to winter time on 2027-10-31.
    expect(who(payments, '2027-11-01T07:59:00Z')).toEqual(who(payments, '2027-10-25T07:00:00Z'));
    expect(who(payments, '2027-11-01T08:00:00Z')).not.toEqual(who(payments, '2027-11-01T07:59:00Z'));
  });

  it('alternates SWE and PE weekly in two time zones across their own DST changes', () => {
    const berlin = schedule({ team: 't', timeZone: 'Europe/Berlin', layers: [{ name: 'l', rotation: { every: 'weekly', handoff: 'Mon 10:00' }, start: '2027-03-01T10:00:00', participants: ['swe-anna', 'pe-paul'] }] });
    const newYork = schedule({ team: 't', timeZone: 'America/New_York', layers: [{ name: 'l', rotation: { every: 'weekly', handoff: 'Mon 10:00' }, start: '2027-03-01T10:00:00', participants: ['swe-sam', 'pe-pia'] }] });
    // New York changes on 2027-03-14, Berlin on 2027-03-28; each keeps 10:00 local.
    const handoffs = (spec: ScheduleSpec, zone: string) =>
      shiftsBetween(spec, utc('2027-03-01T00:00:00Z'), utc('2027-04-12T00:00:00Z')).map((s) => `${s.start.setZone(zone).toFormat('ccc dd HH:mm')} ${s.users.join()}`);
    // The range starts before the schedule: nobody, until its first shift.
    expect(handoffs(berlin, 'Europe/Berlin')[0]).toBe('Mon 01 01:00 ');
    expect(handoffs(berlin, 'Europe/Berlin').slice(1)).toEqual(['Mon 01 10:00 swe-anna', 'Mon 08 10:00 pe-paul', 'Mon 15 10:00 swe-anna', 'Mon 22 10:00 pe-paul', 'Mon 29 10:00 swe-anna', 'Mon 05 10:00 pe-paul']);
    expect(handoffs(newYork, 'America/New_York').slice(1)).toEqual(['Mon 01 10:00 swe-sam', 'Mon 08 10:00 pe-pia', 'Mon 15 10:00 swe-sam', 'Mon 22 10:00 pe-pia', 'Mon 29 10:00 swe-sam', 'Mon 05 10:00 pe-pia']);
    // The same hand-off is 09:00 UTC in Berlin before its change and 08:00 UTC after.
    const berlinUtc = shiftsBetween(berlin, utc('2027-03-20T00:00:00Z'), utc('2027-04-06T00:00:00Z')).slice(1).map((s) => s.start.toUTC().toFormat('dd HH:mm'));
    expect(berlinUtc).toEqual(['22 09:00', '29 08:00', '05 08:00']);
  });

  it('keeps a daily hand-off at 09:00 local across DST, and exact lengths exact', () => {
    const daily = schedule({ team: 't', timeZone: 'America/New_York', layers: [{ name: 'd', rotation: { every: 'daily', handoff: '09:00' }, start: '2027-03-12T09:00:00', participants: ['a', 'b', 'c'] }] });
    expect(shiftsBetween(daily, utc('2027-03-12T14:00:00Z'), utc('2027-03-16T00:00:00Z')).map((s) => `${s.start.toUTC().toFormat('dd HH:mm')} ${s.users}`)).toEqual([
      '12 14:00 a',
      '13 14:00 b',
      '14 13:00 c', // 09:00 EDT
      '15 13:00 a',
    ]);
    const twelve = schedule({ team: 't', timeZone: 'America/New_York', layers: [{ name: 'h', rotation: { every: '12h' }, start: '2027-03-13T21:00:00', participants: ['x', 'y'] }] });
    // Across the spring-forward night a 12 h shift is still 12 hours long: it ends at 10:00 local, not 09:00.
    const [first] = shiftsBetween(twelve, utc('2027-03-14T02:00:00Z'), utc('2027-03-14T20:00:00Z'));
    expect(first!.end.diff(utc('2027-03-14T02:00:00Z'), 'hours').hours).toBe(12);
    expect(first!.end.setZone('America/New_York').toFormat('HH:mm')).toBe('10:00');
  });

  it('lets a later layer win inside its restriction windows, including one across midnight', () => {
    const spec = schedule({
      team: 't',
      timeZone: 'Europe/Berlin',
      layers: [
        { name: 'base', rotation: { every: 'weekly', handoff: 'Mon 09:00' }, start: '2026-11-02T09:00:00', participants: ['alice', 'bob'] },
        { name: 'business-hours', rotation: { every: 'weekly', handoff: 'Mon 09:00' }, start: '2026-11-02T09:00:00', participants: ['carol'], restrictions: [{ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], from: '09:00', to: '17:00' }] },
        { name: 'night', rotation: { every: 'weekly' }, start: '2026-11-02T00:00:00', participants: ['nora'], restrictions: [{ days: ['Fri'], from: '22:00', to: '06:00' }] },
      ],
    });
    expect(who(spec, '2026-11-04T10:00:00Z')).toEqual(['carol']); // Wed 11:00
    expect(who(spec, '2026-11-04T17:00:00Z')).toEqual(['alice']); // Wed 18:00
    expect(who(spec, '2026-11-07T10:00:00Z')).toEqual(['alice']); // Sat
    expect(who(spec, '2026-11-06T22:30:00Z')).toEqual(['nora']); // Fri 23:30
    expect(who(spec, '2026-11-07T04:30:00Z')).toEqual(['nora']); // Sat 05:30, the Friday night window
    expect(who(spec, '2026-11-07T05:00:00Z')).toEqual(['alice']); // Sat 06:00
    expect(onCallAt(spec, utc('2026-11-04T10:00:00Z')).layer).toBe('business-hours');
  });

  it('applies overrides: replace someone, add someone, remove someone, each for its span only', () => {
    const spec = schedule({
      ...payments,
      overrides: [
        { user: 'carol', replaces: 'alice', from: '2026-11-03T00:00:00', to: '2026-11-04T00:00:00' },
        { user: 'dave', from: '2026-11-05T12:00:00', to: '2026-11-05T14:00:00' },
        { remove: 'alice', from: '2026-11-06T00:00:00', to: '2026-11-06T06:00:00' },
      ],
    });
    expect(who(spec, '2026-11-02T23:30:00Z')).toEqual(['carol']); // Tue 00:30 Berlin
    expect(who(spec, '2026-11-03T23:30:00Z')).toEqual(['alice']);
    expect(who(spec, '2026-11-05T12:00:00Z')).toEqual(['alice', 'dave']);
    expect(who(spec, '2026-11-06T02:00:00Z')).toEqual([]);
    expect(who(spec, '2026-11-06T05:00:00Z')).toEqual(['alice']);
    const segments = shiftsBetween(spec, utc('2026-11-02T12:00:00Z'), utc('2026-11-04T12:00:00Z')).map((s) => `${s.start.toUTC().toFormat('dd HH:mm')} ${s.users}`);
    expect(segments).toEqual(['02 12:00 alice', '02 23:00 carol', '03 23:00 alice']);
  });

  it('gives a shadow copies only while it runs, following a user or a layer, and never makes the shadow on call', () => {
    const spec = schedule({
      ...payments,
      shadows: [
        { user: 'newbie', follows: { user: 'bob' }, from: '2026-11-02T00:00:00', to: '2026-11-20T00:00:00' },
        { user: 'intern', follows: { layer: 'weekly' }, from: '2026-11-02T00:00:00', to: '2026-11-05T00:00:00' },
      ],
    });
    const monday = onCallAt(spec, utc('2026-11-03T10:00:00Z'));
    expect(monday).toEqual({ users: ['alice'], layer: 'weekly', overrides: [], shadows: [{ user: 'intern', shadowing: 'alice' }] });
    expect(onCallAt(spec, utc('2026-11-10T10:00:00Z')).shadows).toEqual([{ user: 'newbie', shadowing: 'bob' }]);
    // Both have expired by themselves.
    expect(onCallAt(spec, utc('2026-11-24T10:00:00Z'))).toEqual({ users: ['bob'], layer: 'weekly', overrides: [], shadows: [] });
  });
});
