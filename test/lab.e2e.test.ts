import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

describeEachStore('the lab: the demo shop heals itself', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const endpoints = async (service: string) => (await server!.request('GET', `/api/v1/services/${service}/endpoints`)).body.endpoints as Array<{ host: string; address: string }>;
  const page = async () => {
    const [frontend] = await endpoints('frontend');
    if (!frontend) return null;
    const res = await fetch(`http://${frontend.address}/`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    return res ? { status: res.status, html: await res.text() } : null;
  };

  it('a crashed cart host is probed, replaced and the shop serves on, with nobody paged', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
    await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
    await waitFor('the shop page to render', async () => (await page())?.status === 200, 10_000);

    const broke = await server.request('POST', '/api/v1/lab/break', { scenario: 'crash', service: 'cart' });
    expect(broke.status).toBe(200);
    const victim = broke.body.host as string;
    const done = await waitFor(
      'the cart host to be replaced',
      async () => {
        const r = (await server!.request('GET', '/api/v1/remediations')).body.remediations.find((x: any) => x.target === victim);
        return r && ['succeeded', 'failed', 'escalated', 'skipped'].includes(r.status) ? r : undefined;
      },
      30_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', runbook: 'replace-failed-shop-host' });
    await waitFor('cart back at capacity, every endpoint answering', async () => {
      const list = await endpoints('cart');
      const ok = await Promise.all(list.map(async (e) => (await fetch(`http://${e.address}/healthz`).catch(() => null))?.ok === true));
      return list.length === 2 && ok.every(Boolean);
    }, 20_000);
    expect((await page())?.status).toBe(200);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents.map((i: any) => i.title)).toEqual([]);
    const history = (await server.request('GET', `/api/v1/hosts/${victim}`)).body.transitions.map((t: any) => t.to);
    expect(history).toContain('out_of_service');
  }, 90_000);

  it('a bad fault request is a 400 naming the field, and an unknown service a 404', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
    const bad = await server.request('POST', '/api/v1/lab/break', { scenario: 'meteor', service: 'cart' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^scenario: /);
    const none = await server.request('POST', '/api/v1/lab/break', { scenario: 'crash', service: 'nothing' });
    expect(none.status).toBe(404);
  }, 30_000);
});
