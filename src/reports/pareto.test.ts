import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { eventFromGeneric, genericEventSchema } from '../intake/genericEvents.js';
import { ingestEvents } from '../intake/ingest.js';
import { ServiceDirectory } from '../intake/serviceDirectory.js';
import type { Store } from '../store/store.js';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { alertPareto } from './pareto.js';

const T = Date.parse('2026-11-20T00:00:00Z');
const MIN = 60_000;

describeEachStore('alert Pareto', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  /** Through intake, as a generic sender would: a firing opens an alert, a repeat updates it, a resolve closes it. */
  async function send(at: number, event: Record<string, unknown>) {
    const parsed = genericEventSchema.parse(event);
    await ingestEvents(store, [eventFromGeneric(parsed, { services: new ServiceDirectory([]) })], at);
  }

  it('ranks templates by firings, with shares, the services, the newest title and when it last fired', async () => {
    await send(T + 1 * MIN, { summary: 'disk 91% on host-7', dedupKey: 'disk-host-7', service: 'checkout' });
    await send(T + 2 * MIN, { summary: 'disk 93% on host-2', dedupKey: 'disk-host-2', service: 'cart' });
    // sent again while open: the same firing, not a new one
    await send(T + 3 * MIN, { summary: 'disk 94% on host-2', dedupKey: 'disk-host-2', service: 'cart' });
    await send(T + 3 * MIN, { summary: 'Instance 10.0.3.7:9100 down', dedupKey: 'up-10.0.3.7', service: 'frontend' });
    await send(T + 4 * MIN, { summary: 'Queue depth over 10k' });
    await send(T + 5 * MIN, { dedupKey: 'disk-host-7', service: 'checkout', status: 'resolved' });
    // fires anew after it resolved: a second firing
    await send(T + 10 * MIN, { summary: 'disk 97% on host-7', dedupKey: 'disk-host-7', service: 'checkout' });

    const pareto = await alertPareto(store.db, { since: T, until: T + 60 * MIN, limit: 20 });
    expect(pareto.total).toBe(5);
    expect(pareto.templates).toBe(3);
    expect(pareto.entries).toEqual([
      { template: 'disk <pct> on <host>', count: 3, share: 0.6, cumulativeShare: 0.6, services: ['cart', 'checkout'], example: 'disk 97% on host-7', lastSeen: new Date(T + 10 * MIN).toISOString() },
      // a tie goes to the more recent
      { template: 'Queue depth over <num>', count: 1, share: 0.2, cumulativeShare: 0.8, services: [], example: 'Queue depth over 10k', lastSeen: new Date(T + 4 * MIN).toISOString() },
      { template: 'Instance <ip> down', count: 1, share: 0.2, cumulativeShare: 1, services: ['frontend'], example: 'Instance 10.0.3.7:9100 down', lastSeen: new Date(T + 3 * MIN).toISOString() },
    ]);

    const top = await alertPareto(store.db, { since: T, until: T + 60 * MIN, limit: 1 });
    expect(top).toMatchObject({ total: 5, templates: 3 });
    expect(top.entries.map((e) => [e.template, e.cumulativeShare])).toEqual([['disk <pct> on <host>', 0.6]]);
  });

  it('counts alerts that started in [since, until)', async () => {
    await send(T - 1, { summary: 'disk 90% on host-1', dedupKey: 'a' });
    await send(T, { summary: 'disk 91% on host-2', dedupKey: 'b' });
    await send(T + 10 * MIN - 1, { summary: 'disk 92% on host-3', dedupKey: 'c' });
    await send(T + 10 * MIN, { summary: 'disk 93% on host-4', dedupKey: 'd' });
    const pareto = await alertPareto(store.db, { since: T, until: T + 10 * MIN, limit: 20 });
    expect(pareto.total).toBe(2);
    expect(pareto.entries[0]).toMatchObject({ count: 2, example: 'disk 92% on host-3' });
    expect(await alertPareto(store.db, { since: T + 20 * MIN, until: T + 30 * MIN, limit: 20 })).toEqual({ total: 0, templates: 0, entries: [] });
  });

  it("keeps to the given services (a team's), leaving out alerts without a service", async () => {
    await send(T, { summary: 'disk 91% on host-7', dedupKey: 'a', service: 'checkout' });
    await send(T, { summary: 'disk 92% on host-8', dedupKey: 'b', service: 'frontend' });
    await send(T, { summary: 'disk 93% on host-9', dedupKey: 'c' });
    const window = { since: T, until: T + MIN, limit: 20 };
    expect((await alertPareto(store.db, { ...window, services: ['checkout', 'cart'] })).entries).toEqual([
      expect.objectContaining({ template: 'disk <pct> on <host>', count: 1, services: ['checkout'], share: 1 }),
    ]);
    expect((await alertPareto(store.db, window)).entries[0]).toMatchObject({ count: 3, services: ['checkout', 'frontend'] });
    expect(await alertPareto(store.db, { ...window, services: [] })).toEqual({ total: 0, templates: 0, entries: [] });
  });
});
