import { beforeEach, describe, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { insertSilence, expireSilenceRow } from '../intake/silences.js';
import { incidentEvent } from '../paging/incidentEvents.js';
import { audit } from '../remediation/audit.js';
import { setAutomationPaused } from '../remediation/automationSwitch.js';
import type { Store } from '../store/store.js';
import type { ChangeEvent } from './changeEvents.js';
import type { ChangeReader, ReaderLimits } from './changeReader.js';
import { changeReaders, foldAlertEvents } from './changeSources.js';

const T = Date.parse('2026-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('foldAlertEvents', () => {
  it('folds repeated events of one alert and action into the last, with a count', () => {
    const e = (eventId: number, alertId: number, action: string) => ({ eventId, alertId, action, source: 'prometheus', count: 1, at: iso(T) });
    expect(foldAlertEvents([e(1, 7, 'firing'), e(2, 8, 'firing'), e(3, 7, 'firing'), e(4, 7, 'resolved')])).toEqual([
      { ...e(2, 8, 'firing') },
      { ...e(3, 7, 'firing'), count: 2 },
      { ...e(4, 7, 'resolved') },
    ]);
  });
});

describeEachStore('change readers', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  let elapsed = 0;
  const limits = (): ReaderLimits => ({ batchLimit: 3, gapWaitMs: 1000, lookbackMs: 10_000, elapsed: () => elapsed });
  beforeEach(() => {
    store = fresh();
    elapsed = 0;
  });

  const openAll = async (l = limits()) => Promise.all(changeReaders(store.db, l).map((open) => open()));
  const readAll = async (readers: ChangeReader[]) => {
    const out: ChangeEvent[] = [];
    for (const reader of readers) out.push(...(await reader.read()).events);
    return out;
  };
  const alertEvent = (alertId: number, action: string, at = T) =>
    store.db.insertInto('alert_events').values({ alert_id: alertId, received_at: at, source: 'generic', action, payload: '{"big":"payload"}' }).execute();
  const hostTransition = (host: string) =>
    store.db.insertInto('host_transitions').values({ host, from_state: 'in_service', to_state: 'draining', actor: 'alice', reason: 'maintenance', at: T }).execute();

  it('sends only changes made after the readers opened, one event per table row, without payloads', async () => {
    await alertEvent(1, 'firing');
    await audit(store.db, { remediationId: 1, alertId: 1, kind: 'matched', message: 'old' }, T);
    await incidentEvent(store.db, 1, { kind: 'opened', actor: 'prodeng', message: 'old' }, T);
    await hostTransition('old-host');
    await setAutomationPaused(store.db, { paused: true, by: 'bob', reason: 'old', now: T - 1 });
    await insertSilence(store.db, { matchers: [], startsAt: T, endsAt: T + 3_600_000, createdBy: 'old', comment: '' }, T);

    const readers = await openAll();
    expect(await readAll(readers)).toEqual([]);

    await alertEvent(1, 'resolved', T + 1);
    await audit(store.db, { remediationId: 2, alertId: 1, kind: 'started', message: 'x'.repeat(1000), data: { secret: 'not sent' } }, T + 2);
    await incidentEvent(store.db, 5, { kind: 'note', actor: 'carol', message: 'looking' }, T + 3);
    await hostTransition('web-1');
    await setAutomationPaused(store.db, { paused: false, by: 'bob', reason: 'fixed', now: T + 4 });
    const silenceId = await insertSilence(store.db, { matchers: [], startsAt: T, endsAt: T + 3_600_000, createdBy: 'dave', comment: 'deploy' }, T + 5);

    const events = await readAll(readers);
    expect(events).toEqual([
      { event: 'alert', data: { eventId: 2, alertId: 1, action: 'resolved', source: 'generic', count: 1, at: iso(T + 1) } },
      { event: 'remediation', data: { auditId: 2, remediationId: 2, alertId: 1, kind: 'started', message: `${'x'.repeat(299)}…`, at: iso(T + 2) } },
      { event: 'incident', data: { eventId: 2, incidentId: 5, kind: 'note', actor: 'carol', message: 'looking', at: iso(T + 3) } },
      { event: 'host', data: { transitionId: 2, host: 'web-1', from: 'in_service', to: 'draining', actor: 'alice', reason: 'maintenance', at: iso(T) } },
      { event: 'automation', data: { name: 'remediation', paused: false, changedBy: 'bob', reason: 'fixed', at: iso(T + 4) } },
      { event: 'silence', data: { silenceId, createdBy: 'dave', startsAt: iso(T), endsAt: iso(T + 3_600_000), at: iso(T + 5) } },
    ]);
    expect(await readAll(readers)).toEqual([]);

    // Expiring the silence changes it again.
    await expireSilenceRow(store.db, silenceId, T + 6);
    expect(await readAll(readers)).toEqual([{ event: 'silence', data: { silenceId, createdBy: 'dave', startsAt: iso(T), endsAt: iso(T + 6), at: iso(T + 6) } }]);
  });

  it('reads a burst a batch at a time, folding repeated firing of one alert', async () => {
    const [alerts] = await openAll();
    for (let i = 0; i < 5; i++) await alertEvent(9, 'firing');
    await alertEvent(10, 'firing');
    const first = await alerts!.read();
    expect(first.full).toBe(true);
    expect(first.events.map((e) => e.data)).toEqual([{ eventId: 3, alertId: 9, action: 'firing', source: 'generic', count: 3, at: iso(T) }]);
    const second = await alerts!.read();
    expect(second.events.map((e) => [(e.data as { alertId: number }).alertId, (e.data as { count: number }).count])).toEqual([
      [9, 2],
      [10, 1],
    ]);
  });

  it.skipIf(kind !== 'postgres')('finds a row that commits after a row with a higher id (two writers)', async () => {
    const readers = await openAll();
    let inserted!: () => void;
    let commit!: () => void;
    const insertedFirst = new Promise<void>((r) => (inserted = r));
    const slow = store.db.transaction().execute(async (tx) => {
      await audit(tx, { remediationId: 1, kind: 'started', message: 'slow writer' }, T);
      inserted();
      await new Promise<void>((r) => (commit = r));
    });
    await insertedFirst;
    await audit(store.db, { remediationId: 2, kind: 'started', message: 'fast writer' }, T);
    const messages = async () => (await readAll(readers)).map((e) => (e.data as { message: string }).message);
    expect(await messages()).toEqual(['fast writer']);
    commit();
    await slow;
    expect(await messages()).toEqual(['slow writer']);
    expect(await messages()).toEqual([]);
  });
});
