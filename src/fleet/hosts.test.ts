import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../../test/support/testDatabases.js';
import { openStore, type Store } from '../store/store.js';
import { FleetError } from './hostErrors.js';
import { canTransition, HOST_STATES } from './hostStates.js';
import { hostTransitions, insertHost, transitionHost } from './hosts.js';

it('the lifecycle allows exactly the documented moves', () => {
  const legal = HOST_STATES.flatMap((from) => HOST_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
  expect(legal).toEqual([
    'provisioning->in_service',
    'provisioning->decommissioned',
    'in_service->draining',
    'draining->in_service',
    'draining->out_of_service',
    'out_of_service->in_service',
    'out_of_service->repairing',
    'out_of_service->decommissioned',
    'repairing->in_service',
    'repairing->out_of_service',
  ]);
});

describeEachStore('host records', (kind) => {
  let db: TestDatabase;
  let store: Store;
  afterEach(async () => {
    await store?.close();
    await db?.cleanup();
  });

  it('records every move with who and why, and refuses an illegal one without writing anything', async () => {
    db = await createTestDatabase(kind);
    store = await openStore(db.options);
    await insertHost(store.db, { name: 'web-1', address: '10.0.0.1:80', provider: 'static', state: 'in_service', reason: 'declared', origin: 'config' }, 'config', 1000);
    await transitionHost(store.db, 'web-1', 'draining', { actor: 'alice', reason: 'kernel upgrade', now: 2000 });
    const err = await transitionHost(store.db, 'web-1', 'decommissioned', { actor: 'bob', reason: 'oops', now: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetError);
    expect((err as FleetError).code).toBe('illegal_transition');
    expect((err as Error).message).toBe('host web-1 cannot go from draining to decommissioned (from draining it can go to out_of_service, in_service)');
    expect(await hostTransitions(store.db, 'web-1')).toEqual([
      { from: null, to: 'in_service', actor: 'config', reason: 'declared', at: new Date(1000).toISOString() },
      { from: 'in_service', to: 'draining', actor: 'alice', reason: 'kernel upgrade', at: new Date(2000).toISOString() },
    ]);
    await expect(insertHost(store.db, { name: 'web-1', address: 'x:1', provider: 'static', state: 'in_service', reason: 'again', origin: 'api' }, 'api', 4000)).rejects.toThrow('host web-1 already exists');
    await expect(transitionHost(store.db, 'nope', 'draining', { actor: 'a', reason: 'b', now: 1 })).rejects.toThrow('no host named nope');
  });
});
