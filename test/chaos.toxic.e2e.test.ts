import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { shopTeam } from './support/shopTeam.js';

const config = shopTeam('ad');

describeEachStore('toxics as chaos faults: injected through prodeng, leased, reverted when the runner stops renewing', (kind) => {
  let server: TestServer;
  let upstream: Server;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer(kind, { configYaml: config, clock });
    upstream = createServer((_req, res) => res.end('ad'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    await server.stop();
    upstream.close();
  });

  const timed = async (url: string) => {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    return performance.now() - t;
  };

  it('the unmodified toxiproxy-node-client makes a proxy through prodeng’s API; a leased latency toxic slows it until the lease runs out', async () => {
    // Toxiproxy's own client, pointed at prodeng's API.
    const toxiproxy = new Toxiproxy(`${server.url}/api/v1/chaos/toxiproxy`);
    const proxy = await toxiproxy.createProxy({ name: 'frontend-ad', listen: '127.0.0.1:0', upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    const through = `http://${proxy.listen}/`;
    expect(await timed(through)).toBeLessThan(150);

    const run = await server.request('POST', '/api/v1/chaos/runs', { title: 'slow ads', service: 'ad' });
    const fault = await server.request('POST', '/api/v1/chaos/faults', { runId: run.body.id, kind: 'toxic', target: { proxy: 'frontend-ad', type: 'latency', attributes: { latency: 300 } } });
    expect(fault.status, JSON.stringify(fault.body)).toBe(201);
    expect(fault.body.target).toMatchObject({ proxy: 'frontend-ad', name: 'latency_downstream' });
    expect(await timed(through)).toBeGreaterThan(290);
    expect((await (await toxiproxy.get('frontend-ad')).getToxic('latency_downstream')).toJson()).toMatchObject({ type: 'latency', attributes: { latency: 300 } });

    // The runner renews, then goes silent: past the lease, the leader's pass reverts the toxic.
    clock.advance(5000);
    expect((await server.request('POST', `/api/v1/chaos/runs/${run.body.id}/lease`, {})).status).toBe(200);
    clock.advance(10_000);
    await server.maintenance.runOnce();
    expect(await timed(through)).toBeGreaterThan(290);
    clock.advance(10_000);
    await server.maintenance.runOnce();
    await expect((await toxiproxy.get('frontend-ad')).getToxic('latency_downstream')).rejects.toThrow('404');
    expect(await timed(through)).toBeLessThan(150);
    expect((await server.request('GET', `/api/v1/chaos/runs/${run.body.id}`)).body).toMatchObject({ status: 'interrupted', faults: [{ kind: 'toxic', revertedBy: 'lease expired' }] });
    // A run that ended takes no more faults and no lease.
    expect((await server.request('POST', `/api/v1/chaos/runs/${run.body.id}/lease`, {})).status).toBe(409);
    const late = await server.request('POST', '/api/v1/chaos/faults', { runId: run.body.id, kind: 'toxic', target: { proxy: 'frontend-ad', type: 'timeout' } });
    expect(late.status).toBe(409);
  });

  it('refuses a toxic on a proxy that does not exist, naming it, and keeps nothing open', async () => {
    const res = await server.request('POST', '/api/v1/chaos/faults', { kind: 'toxic', target: { proxy: 'nowhere', type: 'latency', attributes: { latency: 10 } } });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/proxy not found/);
    expect((await server.request('GET', '/api/v1/chaos/faults')).body.faults).toEqual([]);
  });
});
