import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from './support/testDatabases.js';
import { freePort, hasBinary, prometheusBinary, startPeer, waitFor, type Peer } from './support/peers.js';
import { sloSpecSchema, type SloDoc } from '../src/slo/sloKind.js';
import { SloEvaluator } from '../src/slo/sloEvaluator.js';
import type { Store } from '../src/store/store.js';
import '../src/kinds.js';
import { formatConfigError, loadConfigDir } from '../src/config/index.js';

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
    // The same Prometheus through OpenSLO documents: a DataSource with its URL, and SLIs written as OpenSLO
    // writes them (counters without a range, a raw ratio, a threshold), translated into PromQL prodeng asks.
    const openSlo = await openSloSlos(dir, url);
    const slos = [slo, ...openSlo];
    // Known from a minute ago, so the first pass counts the minute that ends at the next boundary.
    const knownAt = Date.now();
    for (const kind of storeKinds()) {
      const db = await createTestDatabase(kind);
      const store = await openStore(db.options);
      stores.push({ kind, db, store });
      for (const { name } of slos) await store.db.insertInto('slo_state').values({ slo: name, known_since: knownAt - 60_000, tier: null, status: null, evaluated_at: null }).execute();
    }
    // At least 35 s of scrapes inside the minute counted, so its rate covers most of it.
    const boundary = Math.ceil((knownAt + 35_000) / 60_000) * 60_000;
    await new Promise((r) => setTimeout(r, boundary + 2500 - Date.now()));
    for (const { kind, store } of stores) {
      const [status, ...others] = await new SloEvaluator(store, slos).tick(Date.now());
      expect(status!.at, kind).toBe(boundary);
      for (const [i, other] of others.entries()) {
        const name = openSlo[i]!.name;
        const counted = await store.db.selectFrom('sli_minutes').selectAll().where('slo', '=', name).where('minute', '=', boundary - 60_000).executeTakeFirst();
        // Every request failed: each translated query counts the minute, all of it bad.
        expect(counted, `${kind} ${name}`).toBeDefined();
        expect(Number(counted!.total), `${kind} ${name}`).toBeGreaterThan(0);
        expect(Number(counted!.good), `${kind} ${name}`).toBeLessThan(Number(counted!.total) * 0.01);
        expect(other.tier?.urgency, `${kind} ${name}`).toBe('page');
      }
      const minute = await store.db.selectFrom('sli_minutes').selectAll().where('slo', '=', slo.name).where('minute', '=', boundary - 60_000).executeTakeFirstOrThrow();
      // rate() over the minute, times 60: about 1,200 requests, none good.
      expect(Number(minute.good), kind).toBe(0);
      expect(Number(minute.total), kind).toBeGreaterThan(600);
      expect(Number(minute.total), kind).toBeLessThan(1500);
      expect(status!.tier, kind).toEqual({ name: 'page-fast', urgency: 'page' });
      const alert = await store.db.selectFrom('alerts').selectAll().where('labels', 'like', '%"checkout-availability"%').executeTakeFirstOrThrow();
      expect(JSON.parse(alert.labels), kind).toMatchObject({ alertname: 'SLOBurn', slo: 'checkout-availability', tier: 'page-fast', severity: 'page' });
    }
  }, 120_000);
});

/** OpenSLO v1 documents for the same Prometheus, loaded as prodeng loads a config directory. */
async function openSloSlos(dir: string, url: string): Promise<SloDoc[]> {
  const config = join(dir, 'config');
  mkdirSync(config);
  const slo = (name: string, indicator: string, objective = 'target: 0.999') => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 4w, isRolling: true }]
  indicator:
    metadata: { name: ${name}-sli }
    spec:
${indicator}
  objectives: [{ ${objective} }]
`;
  writeFileSync(
    join(config, 'slos.yaml'),
    [
      'apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: shop }\nspec: {}\n',
      'apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: checkout }\nspec: { owner: shop }\n',
      `apiVersion: openslo/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  type: Prometheus\n  connectionDetails: [{ url: "${url}" }]\n`,
      slo(
        'openslo-ratio',
        `      ratioMetric:
        counter: true
        good: { metricSource: { metricSourceRef: prometheus, spec: { query: 'sum(http_requests_total{job="checkout",code="200"})' } } }
        total: { metricSource: { metricSourceRef: prometheus, spec: { query: 'sum(http_requests_total{job="checkout"})' } } }`,
      ),
      slo(
        'openslo-raw',
        `      ratioMetric:
        rawType: success
        raw: { metricSource: { metricSourceRef: prometheus, spec: { query: 'sum(rate(http_requests_total{job="checkout",code="200"}[30s])) / sum(rate(http_requests_total{job="checkout"}[30s]))' } } }`,
      ),
      slo(
        'openslo-threshold',
        `      thresholdMetric: { metricSource: { metricSourceRef: prometheus, spec: { query: 'sum(rate(http_requests_total{job="checkout",code="500"}[30s]))' } } }`,
        'op: lt, value: 1, target: 0.999',
      ),
    ].join('---\n'),
  );
  const loaded = await loadConfigDir(config);
  expect(loaded.errors.map(formatConfigError)).toEqual([]);
  return ['openslo-ratio', 'openslo-raw', 'openslo-threshold'].map((name) => loaded.config.byKind('SLO').get(name) as SloDoc);
}
