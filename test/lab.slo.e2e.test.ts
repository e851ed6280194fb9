import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { labConfigDir, startLab, type RunningLab } from '../src/lab/labRunner.js';
import { waitFor } from './support/peers.js';

// Real shop processes and real traffic, so real minutes: the lab's SLOs get
// a 1-hour window here, which scales every alerting window down to a minute
// (the 30-day ones would need an hour of outage). One store is enough: the
// evaluation and its alert are tested on both in test/slo.e2e.test.ts.
describe('the lab: a broken checkout burns its SLO, pages, and the burn clears after the fix', () => {
  let lab: RunningLab | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('break checkout, watch shop-checkout burn, the alert open an incident, and the fast burn end once healed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prodeng-lab-slo-'));
    const config = join(dir, 'config');
    cpSync(labConfigDir(), config, { recursive: true });
    writeFileSync(join(config, 'slo.yaml'), readFileSync(join(config, 'slo.yaml'), 'utf8').replaceAll('window: 30d', 'window: 1h'));
    lab = await startLab({ configDir: config, dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', ratePerSecond: 20, logger: pino({ level: 'silent' }), maintenanceIntervalMs: 500 });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(lab!.server.url + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };
    const sloAlert = async () => (await api('GET', '/api/v1/alerts?match[]={alertname="SLOBurn",slo="shop-checkout"}')).body.alerts[0];

    await waitFor('shop traffic counted into shop-checkout', async () => (await api('GET', '/api/v1/slos/shop-checkout')).body.events.total > 20, 150_000);
    expect(await sloAlert()).toBeUndefined();

    // Automation would heal it in seconds; paused, the burn goes on until a human fixes it.
    expect((await api('POST', '/api/v1/automation/pause', { reason: 'SLO game day' })).status).toBe(200);
    const hosts = (await api('GET', '/api/v1/services/checkout/endpoints')).body.endpoints as Array<{ host: string }>;
    for (const h of hosts) {
      const broke = await api('POST', '/api/v1/lab/break', { scenario: 'errors', service: 'checkout', host: h.host, share: 1 });
      expect(broke.status, JSON.stringify(broke.body)).toBe(200);
    }

    const paged = await waitFor('shop-checkout to page', async () => {
      const a = await sloAlert();
      return a?.status === 'firing' && a.labels.severity === 'page' ? a : undefined;
    }, 180_000);
    expect(paged.labels.tier).toMatch(/^page-/);
    const incidents = (await api('GET', '/api/v1/incidents')).body.incidents.filter((i: any) => i.service === 'checkout');
    expect(incidents.length).toBe(1);

    expect((await api('POST', '/api/v1/lab/heal', { service: 'checkout' })).status).toBe(200);
    await waitFor('the page-fast burn to clear', async () => (await sloAlert())?.labels.tier !== 'page-fast', 180_000);
    const after = (await api('GET', '/api/v1/slos/shop-checkout')).body;
    expect(after.burn.find((b: any) => b.tier === 'page-fast').firing).toBe(false);
    expect((await api('GET', '/api/v1/incidents')).body.incidents.filter((i: any) => i.service === 'checkout')).toHaveLength(1);
  }, 600_000);
});
