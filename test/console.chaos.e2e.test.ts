import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { recordEdgeVerdicts, type EdgeFinding } from '../src/chaos/sweep/edgeVerdicts.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { startTestServer, type TestServer } from './support/testServer.js';

if (!haveChromium) console.warn('console chaos test skipped: install the Debian package "chromium" (.ci/run does)');

// The shop's declared calls: frontend (nobody calls it) at the top.
const service = (name: string, dependsOn = '') => `apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { owner: shop${dependsOn ? `, dependsOn: [${dependsOn}]` : ''} }\n`;
const config = [
  'apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: shop }\nspec: {}\n',
  service('frontend', '{ service: catalog, required: true, effect: "no product pages" }, { service: recommendations, required: false }, { service: reviews, required: false, effect: "no reviews under a product" }'),
  service('catalog', '{ service: db, required: true }, { service: search, required: false }'),
  service('recommendations', '{ service: ml, required: false }'),
  service('reviews'),
  service('search'),
  service('db'),
  service('ml'),
].join('---\n');

const FIRST_SWEEP = Date.parse('2026-12-05T20:00:00.000Z');
const SECOND_SWEEP = Date.parse('2026-12-06T20:00:00.000Z');

const broke = (fault: string, detail: string) => ({ fault, outcome: 'broke' as const, detail });
const held = (fault: string, detail: string) => ({ fault, outcome: 'held' as const, detail });

// A long output: the table shows its start and a button for the rest.
const longBody = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of the fault API's answer`).join('\n');

/** A Chaos Toolkit journal whose probe outputs carry markup: the console must show it as text. */
const journal = {
  'chaoslib-version': 'prodeng-0.1.0',
  platform: 'Linux-6.1-x86_64',
  node: 'lab',
  experiment: { title: 'catalog survives a slow database', method: [] },
  start: '2026-12-06T20:10:00.000000',
  status: 'completed',
  deviated: true,
  steady_states: {
    before: {
      steady_state_met: true,
      probes: [
        {
          activity: { type: 'probe', name: 'storefront-answers', provider: { type: 'http', url: 'http://127.0.0.1:9/' }, tolerance: 200 },
          output: { status: 200, headers: {}, body: '<script>window.__pwned = 1</script>storefront ok' },
          status: 'succeeded',
          start: '2026-12-06T20:10:00.100000',
          end: '2026-12-06T20:10:00.150000',
          duration: 0.05,
          tolerance_met: true,
        },
      ],
    },
    after: {
      steady_state_met: false,
      probes: [
        {
          activity: { type: 'probe', name: 'storefront-answers', provider: { type: 'http', url: 'http://127.0.0.1:9/' }, tolerance: 200 },
          output: { status: 504, headers: {}, body: '<img src=x onerror="window.__pwned = 2">gateway timeout' },
          status: 'succeeded',
          start: '2026-12-06T20:10:05.000000',
          end: '2026-12-06T20:10:06.003000',
          duration: 1.003,
          tolerance_met: false,
        },
      ],
    },
    during: [
      {
        steady_state_met: true,
        probes: [
          {
            activity: { type: 'probe', name: 'catalog-lists-products', provider: { type: 'process', path: '/usr/bin/curl' }, tolerance: 0 },
            output: { status: 0, stdout: '12 products', stderr: '' },
            status: 'succeeded',
            start: '2026-12-06T20:10:02.000000',
            end: '2026-12-06T20:10:02.250000',
            duration: 0.25,
            tolerance_met: true,
          },
        ],
      },
    ],
  },
  run: [
    {
      activity: { type: 'action', name: 'slow-the-database', provider: { type: 'http', method: 'POST', url: 'http://127.0.0.1:9/api/v1/chaos/faults' } },
      output: longBody,
      status: 'succeeded',
      start: '2026-12-06T20:10:01.000000',
      end: '2026-12-06T20:10:01.020000',
      duration: 0.02,
    },
  ],
  rollbacks: [
    {
      activity: { type: 'action', name: 'remove-the-latency', provider: { type: 'prodeng', func: 'revert_fault' } },
      output: null,
      status: 'failed',
      exception: ['Traceback (most recent call last):\n', 'ValueError: the toxic is already gone\n'],
      start: '2026-12-06T20:10:06.100000',
      end: '2026-12-06T20:10:06.110000',
      duration: 0.01,
    },
  ],
  end: '2026-12-06T20:10:06.200000',
  duration: 6.2,
  prodeng: { notes: [] },
};

/** A sweep: a run whose findings go into the store the way the sweeper records them, ended by its journal. */
async function sweep(server: TestServer, clock: ManualClock, at: number, findings: EdgeFinding[]): Promise<number> {
  clock.set(at);
  const run = await server.request('POST', '/api/v1/chaos/runs', { title: 'sweep frontend', service: 'frontend' });
  expect(run.status, JSON.stringify(run.body)).toBe(201);
  await recordEdgeVerdicts(server.store.db, run.body.id, findings, at);
  clock.set(at + 60_000);
  const ended = await server.request('PUT', `/api/v1/chaos/runs/${run.body.id}/journal`, { journal: { status: 'completed', deviated: true, steady_states: { before: null, after: null, during: [] }, run: [], rollbacks: [] } });
  expect(ended.status, JSON.stringify(ended.body)).toBe(200);
  return run.body.id;
}

/** What the browser itself writes for a time (its locale, its zone), as the console does. */
const inBrowser = (page: Page, iso: string) => page.evaluate((t) => ({ date: new Date(t).toLocaleDateString(), time: new Date(t).toLocaleString() }), iso);

const edgeOf = (page: Page, from: string, to: string) => page.locator(`[data-testid="graph-edge"][data-from="${from}"][data-to="${to}"]`);

/** An edge's label as drawn (its <text>s), without its <title>. */
const labelOf = async (edge: ReturnType<typeof edgeOf>) => (await edge.locator('text').allTextContents()).join(' ');

describe.skipIf(!haveChromium)('the console chaos page in a real browser', () => {
  let browser: Browser;
  let server: TestServer | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('draws the dependency graph with the critical path, verdicts and their dates and drift, scores the services, and shows a run with its faults, journal and report', async () => {
    const clock = new ManualClock(FIRST_SWEEP);
    server = await startTestServer('sqlite', { clock, configYaml: config });

    // The first sweep found recommendations critical; the second, degradable: the page shows the second.
    await sweep(server, clock, FIRST_SWEEP, [{ caller: 'frontend', callee: 'recommendations', verdict: 'critical', declared: 'optional', faults: [broke('blackhole', 'GET / answered 500 after 12 ms')] }]);
    const second = await sweep(server, clock, SECOND_SWEEP, [
      { caller: 'frontend', callee: 'catalog', verdict: 'critical', declared: 'required', faults: [broke('blackhole', 'GET / answered 504 after 1003 ms'), broke('errors', 'GET / answered 500 after 8 ms')] },
      { caller: 'catalog', callee: 'db', verdict: 'critical', declared: 'required', faults: [broke('blackhole', 'GET /products answered 503 after 2001 ms')] },
      { caller: 'frontend', callee: 'recommendations', verdict: 'degradable', declared: 'optional', faults: [{ fault: 'blackhole', outcome: 'degraded', detail: 'GET / answered 200 without recommendations in 41 ms' }] },
      { caller: 'frontend', callee: 'reviews', verdict: 'critical', declared: 'optional', faults: [broke('latency', 'GET / answered 504 after 3000 ms')] },
      { caller: 'catalog', callee: 'search', verdict: 'no_effect', declared: 'optional', faults: [held('blackhole', 'GET /products answered 200 in 9 ms')] },
    ]);

    // An experiment that slowed the database through one of prodeng's proxies; its journal reverts the toxic.
    clock.set(SECOND_SWEEP + 10 * 60_000);
    const proxy = await server.request('POST', '/api/v1/chaos/toxiproxy/proxies', { name: 'catalog-db', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    expect(proxy.status, JSON.stringify(proxy.body)).toBe(201);
    const run = await server.request('POST', '/api/v1/chaos/runs', { title: 'catalog survives a slow database', service: 'catalog' });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const fault = await server.request('POST', '/api/v1/chaos/faults', { runId: run.body.id, kind: 'toxic', target: { proxy: 'catalog-db', type: 'latency', attributes: { latency: 2000 } } });
    expect(fault.status, JSON.stringify(fault.body)).toBe(201);
    clock.set(SECOND_SWEEP + 10 * 60_000 + 7_000);
    expect((await server.request('PUT', `/api/v1/chaos/runs/${run.body.id}/journal`, { journal })).status).toBe(200);

    const graph = (await server.request('GET', '/api/v1/chaos/graph')).body;
    expect(graph.edges.length, JSON.stringify(graph)).toBeGreaterThanOrEqual(6);

    const { page, errors } = await openConsole(browser, `${server.url}/#/`);
    await page.getByRole('link', { name: 'Chaos', exact: true }).click();
    await page.getByTestId('dependency-graph').waitFor();
    const second_ = await inBrowser(page, new Date(SECOND_SWEEP).toISOString());

    // The critical path: thick, and said so in attributes and in the edge's title.
    const frontendCatalog = edgeOf(page, 'frontend', 'catalog');
    expect(await frontendCatalog.getAttribute('data-critical-path')).toBe('true');
    expect(await frontendCatalog.getAttribute('data-verdict')).toBe('critical');
    expect(await frontendCatalog.locator('title').textContent()).toContain('on the critical path');
    expect(await labelOf(frontendCatalog)).toBe(`critical ${second_.date}`);
    expect(await edgeOf(page, 'catalog', 'db').getAttribute('data-critical-path')).toBe('true');
    const recommendations = edgeOf(page, 'frontend', 'recommendations');
    expect(await recommendations.getAttribute('data-critical-path')).toBe('false');
    const thickness = (edge: typeof frontendCatalog) => edge.locator('path.edge-line').evaluate((p) => parseFloat(getComputedStyle(p).strokeWidth));
    expect(await thickness(frontendCatalog)).toBeGreaterThan(2 * (await thickness(recommendations)));
    // As many marked in the picture as the API puts on the path.
    const critical = graph.edges.filter((e: { onCriticalPath: boolean }) => e.onCriticalPath).length;
    expect(await page.locator('[data-testid="graph-edge"][data-critical-path="true"]').count()).toBe(critical);

    // The last verdict of each edge, with its date; never measured says so.
    expect(await recommendations.getAttribute('data-verdict')).toBe('degradable');
    expect(await labelOf(recommendations)).toBe(`degradable ${second_.date}`);
    expect(await labelOf(edgeOf(page, 'catalog', 'search'))).toBe(`no effect ${second_.date}`);
    const unmeasured = edgeOf(page, 'recommendations', 'ml');
    expect(await unmeasured.getAttribute('data-verdict')).toBe('not_measured');
    expect(await labelOf(unmeasured)).toBe('not measured');

    // Declared optional, yet it broke the caller: drift, highlighted and spelled out.
    const reviews = graph.edges.find((e: { from: string; to: string }) => e.from === 'frontend' && e.to === 'reviews');
    expect(reviews.drift, JSON.stringify(reviews)).toEqual(expect.any(String));
    const drifting = edgeOf(page, 'frontend', 'reviews');
    expect(await drifting.getAttribute('data-drift')).toBe('true');
    expect(await drifting.locator('path.edge-drift-halo').count()).toBe(1);
    expect(await labelOf(drifting)).toContain('⚠ critical');
    expect(await drifting.locator('title').textContent()).toContain(`drift: ${reviews.drift}`);
    expect(await page.locator('[data-testid="graph-edge"][data-drift="true"]').count()).toBe(graph.edges.filter((e: { drift: string | null }) => e.drift).length);

    // Beside it, the same as tables: each fault's outcome and detail, the run that measured it.
    const edges = page.getByTestId('chaos-edges');
    const row = (from: string, to: string) => edges.locator('tbody tr').filter({ has: page.locator(`td:nth-child(1):text-is("${from}")`) }).filter({ has: page.locator(`td:nth-child(2):text-is("${to}")`) });
    expect(await row('frontend', 'catalog').innerText()).toMatch(
      new RegExp(`^frontend\\s+catalog\\s+required\\s+no\\s+critical\\s+critical path\\s+${literal(second_.time)} \\(run ${second}\\)\\s+blackhole: broke — GET / answered 504 after 1003 ms\\s+errors: broke — GET / answered 500 after 8 ms\\s+-$`),
    );
    expect(await row('frontend', 'catalog').locator('time').getAttribute('datetime')).toBe('2026-12-06T20:00:00.000Z');
    expect(await row('frontend', 'recommendations').innerText()).toMatch(/optional\s+no\s+degradable\s+[\s\S]*blackhole: degraded — GET \/ answered 200 without recommendations in 41 ms/);
    expect(await row('frontend', 'reviews').innerText()).toContain(`⚠ ${reviews.drift}`);
    expect(await row('recommendations', 'ml').innerText()).toMatch(/^recommendations\s+ml\s+optional\s+no\s+not measured\s+-\s+-\s+-$/);

    // Reliability scores as the API gives them, at least one of them measured.
    const services = page.getByTestId('chaos-services');
    const scored = graph.services.filter((s: { reliability: { score: number | null } | null }) => typeof s.reliability?.score === 'number');
    expect(scored.length, JSON.stringify(graph.services)).toBeGreaterThan(0);
    for (const s of graph.services as Array<{ name: string; reliability: { score: number | null; runs: number } | null }>) {
      const score = s.reliability?.score ?? null;
      const cells = services.locator('tbody tr').filter({ has: page.locator(`td:first-child:text-is("${s.name}")`) });
      expect(await cells.locator('td').nth(1).innerText()).toBe(score === null ? 'not measured' : `${score} / 100`);
      expect(await cells.locator('td').nth(2).innerText()).toBe(String(s.reliability?.runs ?? 0));
    }
    await page.screenshot({ path: artifactPath('console-chaos.png'), fullPage: true });

    // The runs, newest first; one opens with its faults, journal and report.
    expect(await page.getByTestId('chaos-runs').locator('tbody tr').count()).toBe(3);
    await page.getByRole('link', { name: `#${run.body.id} catalog survives a slow database` }).click();
    await page.getByTestId('chaos-run-status').waitFor();
    expect(page.url()).toContain(`#/chaos/runs/${run.body.id}`);
    const detail = (await server.request('GET', `/api/v1/chaos/runs/${run.body.id}`)).body;
    expect(await page.getByTestId('chaos-run-status').innerText()).toContain(`completed, deviated · experiment · service catalog · started by ${detail.startedBy}`);
    expect(await page.getByTestId('chaos-run-faults').innerText()).toMatch(/toxic\s+proxy=catalog-db type=latency[\s\S]*by run ended/);

    const before = page.getByTestId('journal-before');
    expect(await before.locator('h4').innerText()).toBe('Before the method: met');
    expect(await before.locator('tbody tr').innerText()).toMatch(/^storefront-answers\s+probe · http · GET http:\/\/127\.0\.0\.1:9\/\s+succeeded\s+met\s+/);
    const during = page.getByTestId('journal-during-1');
    expect(await during.locator('h4').innerText()).toBe('During the method (1): met');
    expect(await during.locator('tbody tr').innerText()).toMatch(/^catalog-lists-products\s+probe · process · \/usr\/bin\/curl\s+succeeded\s+met\s+[\s\S]*"stdout": "12 products"[\s\S]*0\.25 s$/);
    const after = page.getByTestId('journal-after');
    expect(await after.locator('h4').innerText()).toBe('After the method: not met');
    expect(await after.locator('tbody tr').innerText()).toMatch(/succeeded\s+not met\s+/);
    expect(await after.locator('tbody tr').innerText()).toMatch(/1\.00 s$/);

    // Markup in the outputs is text: shown as written, never run or rendered.
    expect(await before.locator('pre').innerText()).toContain('"body": "<script>window.__pwned = 1</script>storefront ok"');
    expect(await after.locator('pre').innerText()).toContain('"body": "<img src=x onerror=\\"window.__pwned = 2\\">gateway timeout"');
    expect(await page.locator('[data-testid="chaos-journal"] img, [data-testid="chaos-journal"] script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // A long output is cut, with a way to read all of it.
    const method = page.getByTestId('journal-method');
    expect(await method.locator('pre').innerText()).not.toContain('line 40 of');
    await method.getByRole('button', { name: 'show all of the output of slow-the-database' }).click();
    expect(await method.locator('pre').innerText()).toContain("line 40 of the fault API's answer");
    expect(await page.getByTestId('journal-rollbacks').innerText()).toMatch(/remove-the-latency\s+action · prodeng · revert_fault\s+failed\s+Traceback \(most recent call last\):\s+ValueError: the toxic is already gone/);

    // The report, when the server writes one, as plain text; without one, no section.
    const report = await fetch(`${server.url}/api/v1/chaos/runs/${run.body.id}/report`);
    const reportText = await report.text();
    if (report.status === 200) {
      await page.getByTestId('chaos-report').waitFor();
      expect(await page.getByTestId('chaos-report').textContent()).toBe(reportText);
    } else {
      expect(report.status).toBe(404);
      expect(await page.getByRole('heading', { name: 'Report' }).count()).toBe(0);
    }
    await page.screenshot({ path: artifactPath('console-chaos-run.png'), fullPage: true });
    // Asking for a report there is none of logs the 404 as a failed load; nothing else may be logged.
    expect(errors.filter((e) => !(report.status === 404 && /status of 404/.test(e)))).toEqual([]);
  }, 60_000);
});

/** A string as a literal in a RegExp (a locale's time has dots, slashes and commas). */
function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
