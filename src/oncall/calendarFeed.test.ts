import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { feedEvents, type FeedSchedule } from './calendarFeed.js';
import type { StoredOverride } from './overrideStore.js';
import { scheduleSpecSchema, type ScheduleOverride } from './scheduleKind.js';

// A weekly rotation with a business-hours layer on top (which cuts each week
// into many stretches), a shadow and an override from config.
const spec = scheduleSpecSchema.parse({
  team: 'payments',
  timeZone: 'Europe/Berlin',
  layers: [
    { name: 'weekly', rotation: { every: '1w', handoff: 'Mon 09:00' }, start: '2026-11-02T09:00:00', participants: ['alice', 'bob'] },
    { name: 'business-hours', rotation: { every: 'weekly' }, start: '2026-11-02T09:00:00', participants: ['carol'], restrictions: [{ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], from: '09:00', to: '17:00' }] },
  ],
  overrides: [{ user: 'dave', replaces: 'bob', from: '2026-11-14T00:00:00', to: '2026-11-15T00:00:00' }],
  shadows: [{ user: 'newbie', follows: { layer: 'weekly' }, from: '2026-11-04T00:00:00', to: '2026-11-20T00:00:00' }],
});
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const schedule = (extra: ScheduleOverride[] = [], stored: StoredOverride[] = []): FeedSchedule => ({
  name: 'primary',
  spec: { ...spec, overrides: [...spec.overrides, ...extra] },
  configOverrides: spec.overrides,
  stored,
});
const view = (e: ReturnType<typeof feedEvents>[number]) => ({ uid: e.uid, sequence: e.sequence, start: e.segment.start.toUTC().toISO(), end: e.segment.end.toUTC().toISO(), users: e.segment.users.join() });

describe('calendar feed events', () => {
  it('names each shift the same whatever the window, and gives the shifts at its edges whole', () => {
    for (const focus of [undefined, 'alice', 'carol', 'newbie']) {
      const a = feedEvents(schedule(), utc('2026-11-03T13:17:00Z'), utc('2026-11-20T10:00:00Z'), focus).map(view);
      const b = feedEvents(schedule(), utc('2026-11-05T02:00:00Z'), utc('2026-11-27T00:00:00Z'), focus).map(view);
      expect(new Set(a.map((e) => e.uid)).size).toBe(a.length);
      const inB = new Map(b.map((e) => [e.uid, e]));
      const shared = a.filter((e) => e.end! > '2026-11-05T02:00:00');
      expect(shared.length).toBeGreaterThan(3);
      for (const e of shared) expect(inB.get(e.uid), `${focus}: ${e.start}`).toEqual(e);
    }
    // Tuesday 13:17 UTC is inside carol's business hours (08:00-16:00 UTC): her stretch is given from 08:00.
    const first = feedEvents(schedule(), utc('2026-11-03T13:17:00Z'), utc('2026-11-04T00:00:00Z')).map(view);
    expect(first[0]).toMatchObject({ start: '2026-11-03T08:00:00.000Z', end: '2026-11-03T16:00:00.000Z', users: 'carol' });
    // alice's evening and night to Wednesday 08:00 UTC is one planned stretch, given whole although the window ends at midnight;
    // the shadow starting at midnight Berlin (23:00 UTC) makes it two pieces, each with its own name.
    expect(first.map((e) => `${e.users} ${e.start} ${e.end}`)).toEqual([
      'carol 2026-11-03T08:00:00.000Z 2026-11-03T16:00:00.000Z',
      'alice 2026-11-03T16:00:00.000Z 2026-11-03T23:00:00.000Z',
      'alice 2026-11-03T23:00:00.000Z 2026-11-04T08:00:00.000Z',
    ]);
  });

  it("in a person's own feed the first piece of a shift that is still theirs keeps the shift's name when an override takes its start", () => {
    const window = [utc('2026-11-09T00:00:00Z'), utc('2026-11-12T00:00:00Z')] as const;
    // bob's week starts Mon 2026-11-09 09:00 Berlin; weekday business hours are carol's.
    const before = feedEvents(schedule(), ...window, 'bob').map(view);
    const cover = { id: 7, schedule: 'primary', user: 'dave', replaces: 'bob', startsAt: Date.parse('2026-11-09T16:00:00Z'), endsAt: Date.parse('2026-11-10T08:00:00Z'), createdBy: 'bob', reason: '', createdAt: 0, cancelledAt: null, cancelledBy: null };
    const entry = { user: 'dave', replaces: 'bob', from: '2026-11-09T16:00:00.000Z', to: '2026-11-10T08:00:00.000Z' };
    const after = feedEvents(schedule([entry], [cover]), ...window, 'bob').map(view);
    expect(before[0]).toMatchObject({ start: '2026-11-09T16:00:00.000Z', end: '2026-11-10T08:00:00.000Z', sequence: 0 });
    // Monday evening is dave's now; bob's first stretch of that shift is gone, his next one is unchanged.
    expect(after.map((e) => e.uid)).toEqual(before.slice(1).map((e) => e.uid));
    expect(after[0]).toEqual(before[1]);
    const daves = feedEvents(schedule([entry], [cover]), ...window, 'dave').map(view);
    expect(daves[0]).toMatchObject({ uid: before[0]!.uid.replace('/bob@', '/dave@'), start: '2026-11-09T16:00:00.000Z', end: '2026-11-10T08:00:00.000Z', sequence: 1 });
  });

  it('someone on call only through an override, where the rotation has nobody, gets an event of their own', () => {
    const early = { user: 'dave', from: '2026-11-01T00:00:00', to: '2026-11-02T09:00:00' };
    const events = feedEvents(schedule([early]), utc('2026-11-01T12:00:00Z'), utc('2026-11-02T12:00:00Z')).map(view);
    expect(events[0]).toEqual({ uid: 'primary/override/20261031T230000Z/all@prodeng', sequence: 0, start: '2026-10-31T23:00:00.000Z', end: '2026-11-02T08:00:00.000Z', users: 'dave' });
    expect(events[1]).toMatchObject({ uid: 'primary/business-hours/20261102T080000Z/all@prodeng', users: 'carol' });
  });
});
