import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { insertHost } from '../fleet/hosts.js';
import { startChaosRun } from './chaosRunLifecycle.js';
import { faultKinds } from './faultKinds.js';
import { injectFault } from './injectFault.js';

// Three ad hosts, each a real HTTP server speaking the shop's fault API
// (POST /_lab/faults), so the faults really land and are really counted.
const servers: Server[] = [];
const addresses: string[] = [];
const received: string[] = [];
beforeAll(async () => {
  for (let i = 1; i <= 3; i++) {
    const s = createServer((req, res) => {
      received.push(`ad-${i} ${req.method}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"effect":"errors on every path"}');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    addresses.push(`127.0.0.1:${(s.address() as AddressInfo).port}`);
  }
});
afterAll(() => servers.forEach((s) => s.close()));

describeEachStore('blast radius, measured from the faults a run holds', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  const clock = { now: () => Date.parse('2026-12-06T12:00:00Z') };
  beforeEach(async () => {
    store = fresh();
    received.length = 0;
    for (let i = 1; i <= 3; i++) {
      await insertHost(store.db, { name: `ad-${i}`, pool: 'ad', service: 'ad', address: addresses[i - 1]!, provider: 'local-process', state: 'in_service', reason: 'test', origin: 'pool' }, 'test', clock.now());
    }
  });

  const breakHost = (runId: number, host: string) => injectFault(store.db, faultKinds(store.db), clock, { runId, kind: 'lab-fault', target: { scenario: 'errors', service: 'ad', host } });

  it("refuses the fault that would take a run past its limit, whatever the experiment declared, and says which hosts", async () => {
    // declares a third of the service, and is allowed up to two thirds
    const run = await startChaosRun(store.db, clock.now(), { title: 'ad under errors', service: 'ad', blastRadius: 0.33, maxBlastRadius: 0.67, startedBy: 'alice' });
    expect(run.allowed).toBe(true);
    expect(await breakHost(run.id, 'ad-1')).toMatchObject({ ok: true });
    // the same host again: no wider
    expect(await breakHost(run.id, 'ad-1')).toMatchObject({ ok: true });
    expect(await breakHost(run.id, 'ad-2')).toMatchObject({ ok: true });
    const third = await breakHost(run.id, 'ad-3');
    expect(third).toEqual({ ok: false, status: 423, code: 'blast_radius', message: "this fault would break 3 of 3 ad hosts (ad-1, ad-2, ad-3: 100%), above the run's limit of 67%" });
    // refused before anything was sent to ad-3
    expect(received.filter((r) => r.startsWith('ad-3'))).toEqual([]);
  });

  it('holds a run that declares nothing to the default of half the service', async () => {
    const run = await startChaosRun(store.db, clock.now(), { title: 'ad under errors', service: 'ad', startedBy: 'alice' });
    expect(await breakHost(run.id, 'ad-1')).toMatchObject({ ok: true });
    expect(await breakHost(run.id, 'ad-2')).toMatchObject({ ok: false, code: 'blast_radius' });
    // a fault without a host hits the first in-service host, already broken: allowed
    expect(await injectFault(store.db, faultKinds(store.db), clock, { runId: run.id, kind: 'lab-fault', target: { scenario: 'errors', service: 'ad' } })).toMatchObject({ ok: true, fault: { target: { host: 'ad-1' } } });
    // faults outside any run are a person's own call
    expect(await injectFault(store.db, faultKinds(store.db), clock, { runId: null, kind: 'lab-fault', target: { scenario: 'errors', service: 'ad', host: 'ad-3' } })).toMatchObject({ ok: true });
  });
});
