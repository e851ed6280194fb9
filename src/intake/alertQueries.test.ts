import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import type { AlertEvent } from './alertEvent.js';
import { labelSetFingerprint } from './fingerprint.js';
import { ingestEvents } from './ingest.js';
import { listAlerts } from './alertQueries.js';
import { parseMatcher } from './matchers.js';

function firing(labels: Record<string, string>, service: string | null = null): AlertEvent {
  return {
    source: 'prometheus', action: 'firing', fingerprint: labelSetFingerprint(labels), labels, annotations: {}, summary: labels.alertname ?? 'x',
    severity: 'warning', service, host: null, dedupKey: null, generatorUrl: null, startsAt: null, endsAt: null, endsAtFromTimeout: false, payload: {},
  };
}

describeEachStore('listing alerts by label matchers in the store', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(async () => {
    store = fresh();
    const events: AlertEvent[] = [];
    for (let i = 0; i < 60; i++) events.push(firing({ alertname: i % 3 === 0 ? 'Disk' : 'Cpu', instance: `web-${i}`, ...(i % 2 ? { env: 'prod' } : {}) }, i % 5 === 0 ? 'shop' : null));
    events.push(firing({ alertname: 'Odd', quote: `it's "x"; drop table alerts --` }));
    await ingestEvents(store, events, 1_000);
  });
  const names = (page: { alerts: Array<{ labels: Record<string, string> }> }) => page.alerts.map((a) => a.labels.instance ?? a.labels.alertname ?? "");
  const m = (...texts: string[]) => texts.map(parseMatcher);

  it('applies = and != in the query, a missing label as the empty string and service from the column', async () => {
    expect((await listAlerts(store, { matchers: m('alertname=Disk'), limit: 100 })).alerts).toHaveLength(20);
    expect((await listAlerts(store, { matchers: m('alertname=Disk', 'env=prod'), limit: 100 })).alerts).toHaveLength(10);
    expect((await listAlerts(store, { matchers: m('alertname!=Odd', 'env=""'), limit: 100 })).alerts).toHaveLength(30);
    expect((await listAlerts(store, { matchers: m('alertname!=Odd', 'env!=prod'), limit: 100 })).alerts).toHaveLength(30);
    expect(names(await listAlerts(store, { matchers: m('service=shop', 'alertname=Disk'), limit: 100 }))).toEqual(['web-45', 'web-30', 'web-15', 'web-0']);
    expect(names(await listAlerts(store, { matchers: [{ name: 'quote', value: `it's "x"; drop table alerts --`, isRegex: false, isEqual: true }], limit: 100 }))).toEqual(['Odd']);
    // Only an alert's own labels count.
    expect((await listAlerts(store, { matchers: m('constructor!=""'), limit: 100 })).alerts).toHaveLength(0);
  });

  it('combines regexes (in the process) with equalities (in the store), newest first with a cursor', async () => {
    const first = await listAlerts(store, { matchers: m('alertname=Cpu', 'instance=~"web-[0-9]"'), limit: 3 });
    expect(names(first)).toEqual(['web-8', 'web-7', 'web-5']);
    const second = await listAlerts(store, { matchers: m('alertname=Cpu', 'instance=~"web-[0-9]"'), limit: 3, before: first.nextCursor! });
    expect(names(second)).toEqual(['web-4', 'web-2', 'web-1']);
    expect(second.nextCursor).toBeNull();
  });

  it('examines a bounded window of ids per request; paging on by nextCursor finds every match', async () => {
    const seen: string[] = [];
    let before: number | undefined;
    let requests = 0;
    for (;;) {
      const page = await listAlerts(store, { matchers: m('alertname=Disk'), limit: 100, before, window: 7 });
      requests++;
      expect(page.alerts.length).toBeLessThanOrEqual(3);
      seen.push(...names(page));
      if (page.nextCursor === null) break;
      before = page.nextCursor;
    }
    expect(requests).toBe(9);
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
  });
});
