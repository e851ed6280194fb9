import { DateTime } from 'luxon';
import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { ManualClock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import { LiveSchedules } from './liveSchedules.js';
import { addOverride, cancelOverride } from './overrideStore.js';
import { localTime, onCallAt } from './rotation.js';
import { scheduleSpecSchema } from './scheduleKind.js';

const primary = {
  name: 'primary',
  spec: scheduleSpecSchema.parse({
    team: 'payments',
    timeZone: 'Europe/Berlin',
    layers: [{ name: 'weekly', rotation: { every: '1w', handoff: 'Mon 09:00' }, start: '2026-11-02T09:00:00', participants: ['alice', 'bob'] }],
  }),
};
const quiet = { name: 'quiet', spec: scheduleSpecSchema.parse({ team: 'payments', timeZone: 'UTC', layers: [{ name: 'l', rotation: { every: 'daily' }, start: '2026-11-02T00:00:00', participants: ['dave'] }] }) };

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const ms = (iso: string) => Date.parse(iso);

describeEachStore('live schedules: config plus stored overrides', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  let clock: ManualClock;
  beforeEach(() => {
    store = fresh();
    clock = new ManualClock(ms('2026-11-10T12:00:00Z'));
  });
  // Bob is on call all week from Mon 2026-11-09 09:00 Berlin (08:00 UTC).
  const carolForBob = { schedule: 'primary', user: 'carol', replaces: 'bob', startsAt: ms('2026-11-10T23:00:00Z'), endsAt: ms('2026-11-11T23:00:00Z'), createdBy: 'alice', reason: '' };

  it('reads a stored span (UTC ISO with offset) at the same instant in the schedule zone, to the millisecond', async () => {
    await addOverride(store.db, carolForBob, clock.now());
    const spec = (await new LiveSchedules(store, clock, [primary]).current()).specs.get('primary')!;
    const entry = spec.overrides[0]!;
    expect(entry).toEqual({ from: '2026-11-10T23:00:00.000Z', to: '2026-11-11T23:00:00.000Z', user: 'carol', replaces: 'bob' });
    // Midnight in Berlin, read in Berlin's zone, is the stored instant.
    expect(localTime(entry.from, 'Europe/Berlin').toMillis()).toBe(carolForBob.startsAt);
    expect(localTime(entry.from, 'Europe/Berlin').toISO()).toBe('2026-11-11T00:00:00.000+01:00');
    expect(onCallAt(spec, at('2026-11-10T22:59:59.999Z')).users).toEqual(['bob']);
    expect(onCallAt(spec, at('2026-11-10T23:00:00.000Z'))).toMatchObject({ users: ['carol'], layer: null, overrides: [entry] });
    expect(onCallAt(spec, at('2026-11-11T22:59:59.999Z')).users).toEqual(['carol']);
    expect(onCallAt(spec, at('2026-11-11T23:00:00.000Z')).users).toEqual(['bob']);
  });

  it('hands out the same objects while nothing changes, sharing the config layers, and says which entry was stored', async () => {
    const live = new LiveSchedules(store, clock, [primary, quiet]);
    const first = await live.current();
    expect(first.byName.get('primary')).toBe(primary);
    await addOverride(store.db, carolForBob, clock.now());
    live.invalidate();
    const second = await live.current();
    const derived = second.byName.get('primary')!;
    expect(derived).not.toBe(primary);
    expect(derived.spec.layers).toBe(primary.spec.layers);
    expect(second.byName.get('quiet')).toBe(quiet);
    expect(second.storedOf(derived.spec.overrides[0]!)).toMatchObject({ user: 'carol', createdBy: 'alice' });
    // A reload that finds the same rows keeps every object.
    clock.advance(5_000);
    const third = await live.current();
    expect(third).not.toBe(second);
    expect(third.byName.get('primary')).toBe(derived);
    expect(third.specs.get('primary')).toBe(derived.spec);
  });

  it("sees another replica's write within the cache age, its own at once, and drops cancelled ones", async () => {
    const here = new LiveSchedules(store, clock, [primary]);
    const there = new LiveSchedules(store, clock, [primary]);
    const inside = at('2026-11-11T12:00:00Z');
    const who = async (live: LiveSchedules) => onCallAt((await live.current()).specs.get('primary')!, inside).users;
    expect(await who(here)).toEqual(['bob']);
    expect(await who(there)).toEqual(['bob']);
    const o = await addOverride(store.db, carolForBob, clock.now());
    here.invalidate();
    expect(await who(here)).toEqual(['carol']);
    // The other replica answers from its cache: no query per lookup.
    clock.advance(1_999);
    expect(await who(there)).toEqual(['bob']);
    clock.advance(1);
    expect(await who(there)).toEqual(['carol']);
    await cancelOverride(store.db, { schedule: 'primary', id: o.id, by: 'bob' }, clock.now());
    here.invalidate();
    expect(await who(here)).toEqual(['bob']);
  });

  it('loads once for callers that ask together', async () => {
    await addOverride(store.db, carolForBob, clock.now());
    const live = new LiveSchedules(store, clock, [primary]);
    const [a, b] = await Promise.all([live.current(), live.current()]);
    expect(a).toBe(b);
  });
});
