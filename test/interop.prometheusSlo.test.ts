import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from './support/testDatabases.js';
import { freePort, hasBinary, prometheusBinary, startPeer, waitFor, type Peer } from './support/peers.js';
import { sloSpecSchema, type SloDoc } from '../src/slo/sloKind.js';
import { SloEvaluator } from '../src/slo/sloEvaluator.js';
import type { Store } from '../src/store/store.js';

// An SLO whose indicator is a PromQL query, counted by prodeng from a real
// Prometheus scraping a real exporter: every request of checkout fails.
// One Prometheus and one minute boundary serve every store (a minute is
// what the test has to wait for).
const havePrometheus = hasBinary(prometheusBinary);
if (!havePrometheus) console.warn('Prometheus SLO test skipped: install the Debian package "prometheus" (.ci/run does)');

describe('SLOs counted from a real Prometheus', () => {
  const stores: Array<{ kind: string; db: TestDatabase; store: Store }> = [];
  let exporter: Server | undefined;
  let prometheus: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    exporter?.close();
    for (const s of stores) {
      await s.store.close();
      await s.db.cleanup();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!havePrometheus)('counts each minute from the rate queries and pages a total outage through the SLO alert, on every store', async () => {
    // 20 requests a second, every one a 500.
    const started = Date.now();
    exporter = createServer((_req, res) => {
      const n = Math.floor(((Date.now() - started) / 1000) * 20);
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 0\nhttp_requests_total{code="500"} ${n}\n`);
    });
    await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'prodeng-prom-slo-'));
    writeFileSync(join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: checkout\n    static_configs: [{ targets: ["127.0.0.1:${(exporter.address() as AddressInfo).port}"] }]\n`);
    const promPort = await freePort();
    prometheus = startPeer(prometheusBinary, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
    const url = `http://127.0.0.1:${promPort}`;
    await waitFor('Prometheus to scrape the exporter', async () => {
      const r = await fetch(`${url}/api/v1/query?query=up`).catch(() => null);
      const body = (await r?.json().catch(() => null)) as any;
      return body?.data?.result?.[0]?.value?.[1] === '1';
    }, 30_000, () => prometheus!.output());

    const slo = {
      kind: 'SLO',
      name: 'checkout-availability',
      spec: sloSpecSchema.parse({
        service: 'checkout',
        objective: 99.9,
        indicator: { prometheus: { url, errorQuery: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))', totalQuery: 'sum(rate(http_requests_total{job="checkout"}[{{window}}]))' } },
      }),
      source: { file: 'slo.yaml', line: 1 },
    } as unknown as SloDoc;
    // Known from a minute ago, so the first pass counts the minute that ends at the next boundary.
    const knownAt = Date.now();
    for (const kind of storeKinds()) {
      const db = await createTestDatabase(kind);
      const store = await openStore(db.options);
      stores.push({ kind, db, store });
      await store.db.insertInto('slo_state').values({ slo: slo.name, known_since: knownAt - 60_000, tier: null, status: null, evaluated_at: null }).execute();
    }
    // At least 35 s of scrapes inside the minute counted, so its rate covers most of it.
    const boundary = Math.ceil((knownAt + 35_000) / 60_000) * 60_000;
    await new Promise((r) => setTimeout(r, boundary + 2500 - Date.now()));
    for (const { kind, store } of stores) {
      const [status] = await new SloEvaluator(store, [slo]).tick(Date.now());
      expect(status!.at, kind).toBe(boundary);
      const minute = await store.db.selectFrom('sli_minutes').selectAll().where('minute', '=', boundary - 60_000).executeTakeFirstOrThrow();
      // rate() over the minute, times 60: about 1,200 requests, none good.
      expect(Number(minute.good), kind).toBe(0);
      expect(Number(minute.total), kind).toBeGreaterThan(600);
      expect(Number(minute.total), kind).toBeLessThan(1500);
      expect(status!.tier, kind).toEqual({ name: 'page-fast', urgency: 'page' });
      const alert = await store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
      expect(JSON.parse(alert.labels), kind).toMatchObject({ alertname: 'SLOBurn', slo: 'checkout-availability', tier: 'page-fast', severity: 'page' });
    }
  }, 120_000);
});
