import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { insertHost } from '../src/fleet/hosts.js';
import { recordEdgeVerdicts } from '../src/chaos/sweep/edgeVerdicts.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { smtpSinkForBlock } from './support/smtpSink.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { ticketTeamConfig } from './support/ticketTeam.js';

if (!haveChromium) console.warn('console catalog test skipped: install the Debian package "chromium" (.ci/run does)');

// Team shop (alice, bob) owns cart and checkout; team growth owns recommendations.
// cart is at scale, so silver is expected of it: it reaches bronze and is behind.
// Its config carries markup and a javascript: link, as an untrusted file could.
const config = `${ticketTeamConfig}---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: shop-primary }
spec:
  team: shop
  timeZone: UTC
  layers: [{ name: weekly, rotation: { every: 1w }, start: "2026-01-05T09:00:00", participants: [alice, bob] }]
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: growth }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec:
  owner: shop
  phase: scale
  system: shop
  lifecycle: production
  description: "holds <b>baskets</b> until checkout"
  repository: "git@example.com:shop/cart.git"
  links:
    - { url: "https://runbooks.example.com/cart", title: Runbook, type: runbook }
    - { url: "javascript:alert(1)", title: "click me" }
  dependsOn:
    - { service: checkout, required: false }
    - { service: recommendations, required: false }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: recommendations }
spec: { owner: growth, phase: bootstrap, system: shop }
---
apiVersion: prodeng/v1
kind: ScorecardExemption
metadata: { name: cart-alerts }
spec: { service: cart, check: monitoring.alerts-automated, reason: "the runbook for the basket alert is in review", expires: 2026-12-31 }
---
apiVersion: prodeng/v1
kind: ScorecardCampaign
metadata: { name: probes-everywhere }
spec: { check: lifecycle.probe, team: shop, due: 2026-12-15, owner: alice, description: every host probed }
`;

const DAY_ONE = Date.parse('2026-12-06T10:00:00Z');
const MARKUP = '<img src=x onerror=alert(1)>';

const probe = (host: string, now: number) => ({ probe: 'health', host, firing: 0, consecutive_failures: 0, consecutive_successes: 3, last_at: now, next_at: now });

/**
 * Seeds a history through the real server: day one cart-2 has no probe (level
 * none); it gets one (the check passes), loses it (the team is told), gets it
 * back; day two cart is at bronze.
 */
async function seed(server: TestServer, clock: ManualClock): Promise<void> {
  const db = server.store.db;
  for (const name of ['cart-1', 'cart-2']) {
    await insertHost(db, { name, pool: 'cart', service: 'cart', address: `127.0.0.1:1${name.slice(-1)}`, provider: 'local-process', state: 'in_service', reason: 'test', origin: 'pool' }, 'test', clock.now());
  }
  await db.insertInto('probe_targets').values(probe('cart-1', clock.now())).execute();
  // The same alert three times, its summary markup: a human took it each time (the exemption excuses it).
  for (const key of ['basket-1', 'basket-2', 'basket-3']) {
    const res = await server.request('POST', '/api/v1/intake/generic', { summary: MARKUP, service: 'cart', dedupKey: key });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
  // A sweep found checkout, declared optional, breaking cart: drift.
  const run = await server.request('POST', '/api/v1/chaos/runs', { title: 'sweep cart', service: 'cart' });
  expect(run.status, JSON.stringify(run.body)).toBe(201);
  await recordEdgeVerdicts(
    db,
    run.body.id,
    [
      { caller: 'cart', callee: 'checkout', verdict: 'critical', declared: 'optional', faults: [{ fault: 'blackhole', outcome: 'broke', detail: 'POST /basket answered 500' }] },
      { caller: 'cart', callee: 'recommendations', verdict: 'no_effect', declared: 'optional', faults: [{ fault: 'blackhole', outcome: 'held', detail: 'GET /basket answered 200' }] },
    ],
    clock.now(),
  );

  await server.scorecardTick(clock.now());
  await db.insertInto('probe_targets').values(probe('cart-2', clock.now())).execute();
  clock.advance(5 * 60_000);
  await server.scorecardTick(clock.now());
  await db.deleteFrom('probe_targets').where('host', '=', 'cart-2').execute();
  clock.advance(5 * 60_000);
  await server.scorecardTick(clock.now());
  await server.paging.runOnce();
  await server.paging.runOnce();
  await db.insertInto('probe_targets').values(probe('cart-2', clock.now())).execute();
  clock.set(DAY_ONE + 24 * 3600_000);
  await server.scorecardTick(clock.now());
}

const cell = (page: Page, layer: string, level: string) => page.locator(`[data-testid="pyramid-cell"][data-layer="${layer}"][data-level="${level}"]`);
const checkRow = (page: Page, id: string) => page.locator(`[data-testid="scorecard-checks"] tr[data-check="${id}"]`);

describe.skipIf(!haveChromium)('the console catalog and scorecard pages in a real browser', () => {
  smtpSinkForBlock(beforeAll, afterAll);
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

  it('lists the services with level, behind and drift, filters by team, shows campaigns and the graph; a scorecard draws the pyramid, the evidence, the trend and the notices', async () => {
    const clock = new ManualClock(DAY_ONE);
    server = await startTestServer('sqlite', { clock, configYaml: config });
    await seed(server, clock);
    const api = (await server.request('GET', '/api/v1/scorecard/cart')).body;
    expect(api, JSON.stringify(api)).toMatchObject({ level: 1, levelName: 'bronze', expected: 2, behind: true });
    expect(api.history.map((h: { day: string; level: number }) => [h.day, h.level])).toEqual([
      ['2026-12-06', 0],
      ['2026-12-07', 1],
    ]);
    expect(api.notices.length).toBeGreaterThan(0);

    const titleOf = (id: string): string => api.checks.find((c: { id: string }) => c.id === id).title;

    const { page, errors } = await openConsole(browser, `${server.url}/#/`);
    await page.getByRole('link', { name: 'Catalog', exact: true }).click();
    const table = page.getByTestId('catalog-services');
    await table.locator('tr[data-service="cart"]').waitFor();

    // Each service: owner, system, lifecycle, phase, level against what its phase expects, drift.
    const row = (name: string) => table.locator(`tr[data-service="${name}"]`);
    await expect.poll(() => row('cart').innerText()).toMatch(/^cart\s+shop\s+shop\s+production\s+scale\s+bronze \(expects silver\)\s*⚠ behind\s+⚠ 1$/);
    expect(await row('cart').locator('[data-behind]').getAttribute('data-behind')).toBe('true');
    expect(await row('checkout').innerText()).toMatch(/^checkout\s+shop\s+-\s+-\s+-\s+none \(no phase, nothing expected\)\s+none$/);
    expect(await row('recommendations').innerText()).toMatch(/^recommendations\s+growth\s+shop\s+-\s+bootstrap\s+none \(expects bronze\)\s*⚠ behind\s+none$/);

    // The team filter keeps that team's services only.
    await page.getByTestId('catalog-team').selectOption('growth');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('catalog-summary').innerText()).toBe('1 service, 1 behind what their phase expects');
    await page.getByTestId('catalog-team').selectOption('');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);

    // The campaign: cart is probed, checkout has nothing to probe.
    const campaign = page.locator('[data-testid="campaign"][data-campaign="probes-everywhere"]');
    await campaign.waitFor();
    const { campaigns } = (await server.request('GET', '/api/v1/scorecard/campaigns')).body;
    expect((await campaign.getByTestId('campaign-progress').innerText()).trim()).toBe(`1 of 2 services done · due 2026-12-15, ${campaigns[0].daysLeft} days left`);
    expect(await campaign.locator('li[data-service="cart"]').innerText()).toContain('passed');

    // The dependency graph, the Chaos page's picture, with the drifting edge.
    await page.getByTestId('dependency-graph').waitFor();
    const edge = page.locator('[data-testid="graph-edge"][data-from="cart"][data-to="checkout"]');
    expect(await edge.getAttribute('data-drift')).toBe('true');
    await page.screenshot({ path: artifactPath('console-catalog.png'), fullPage: true });

    // A service's page: its catalog entry.
    await row('cart').getByRole('link', { name: 'cart' }).click();
    await page.getByTestId('catalog-entry').waitFor();
    expect(page.url()).toContain('#/catalog/cart');
    expect(await page.getByTestId('catalog-description').innerText()).toBe('holds <b>baskets</b> until checkout');
    expect(await page.getByTestId('catalog-repository').innerText()).toBe('git@example.com:shop/cart.git');
    // Links only as http(s): the javascript: one is text, with no href anywhere.
    const links = page.getByTestId('catalog-links');
    expect(await links.locator('a').count()).toBe(1);
    expect(await links.locator('a').getAttribute('href')).toBe('https://runbooks.example.com/cart');
    expect(await links.innerText()).toContain('click me (javascript:alert(1)) not linked: not an http(s) address');
    expect(await page.locator('a[href^="javascript:"], a[href^="data:"]').count()).toBe(0);
    const deps = page.getByTestId('catalog-dependencies');
    expect(await deps.locator('tr[data-service="checkout"]').innerText()).toMatch(/^checkout\s+optional\s+(seen in traffic|not seen)\s+critical\s+⚠ .+/);
    expect(await deps.locator('tr[data-service="recommendations"]').innerText()).toMatch(/^recommendations\s+optional\s+(seen in traffic|not seen)\s+no effect\s+-$/);
    expect(await page.getByTestId('catalog-drift').innerText()).toContain('cart -> checkout:');

    // The pyramid: six layers, upkeep on top and lifecycle at the bottom, three levels each.
    await page.getByTestId('pyramid').waitFor();
    const layers = await page.getByTestId('pyramid-layer').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
    expect(layers).toEqual(['upkeep', 'performance', 'reliability', 'monitoring', 'oncall', 'lifecycle']);
    expect(await page.getByTestId('pyramid-cell').count()).toBe(18);
    // Bronze reached, silver not: highlighted and said so.
    expect(await cell(page, 'lifecycle', 'bronze').getAttribute('data-reached')).toBe('true');
    expect(await cell(page, 'lifecycle', 'bronze').innerText()).toContain('★ reached');
    expect(await cell(page, 'lifecycle', 'silver').getAttribute('data-reached')).toBe('false');
    // Each check with its mark, in words as well as colour.
    expect(await cell(page, 'lifecycle', 'bronze').locator('li[data-check="lifecycle.probe"]').innerText()).toBe(`✓ passed ${titleOf('lifecycle.probe')}`);
    expect(await cell(page, 'lifecycle', 'silver').locator('li[data-check="lifecycle.replace-proven"]').innerText()).toContain('failed');
    expect(await cell(page, 'reliability', 'gold').locator('li[data-check="reliability.canary"]').innerText()).toContain('not measured');
    expect(await cell(page, 'monitoring', 'bronze').locator('li[data-check="monitoring.alerts-automated"]').innerText()).toContain('exempt');
    const colour = (sel: string) => page.locator(sel).first().evaluate((e) => getComputedStyle(e).color);
    expect(await colour('[data-testid="pyramid"] .mark-passed')).not.toBe(await colour('[data-testid="pyramid"] .mark-failed'));
    await page.getByTestId('scorecard-holding').waitFor();
    await page.getByTestId('pyramid').screenshot({ path: artifactPath('console-scorecard-pyramid.png') });

    // Each check with its evidence: fact, source, the date it was measured, an exemption.
    const pool = checkRow(page, 'lifecycle.pool');
    expect(await pool.getByTestId('check-fact').innerText()).toBe('2 hosts in pools, each with a provider');
    expect(await pool.getByTestId('check-source').innerText()).toBe('hosts');
    const measuredAt = new Date(api.checks.find((c: { id: string }) => c.id === 'lifecycle.pool').measuredAt).toISOString();
    expect(await pool.locator('time').getAttribute('datetime')).toBe(measuredAt);
    expect(await pool.locator('time').innerText()).toBe(await page.evaluate((t) => new Date(t).toLocaleString(), measuredAt));
    // The alert's summary is markup: shown as text in the fact and the evidence, never rendered.
    const automated = checkRow(page, 'monitoring.alerts-automated');
    expect(await automated.getByTestId('check-exemption').innerText()).toBe('the runbook for the basket alert is in review (until 2026-12-31)');
    expect(await automated.getByTestId('check-fact').innerText()).toBe(`always a human: ${MARKUP} (3×)`);
    await automated.locator('summary').click();
    expect(await automated.getByTestId('check-evidence').innerText()).toContain(`"alertname": "${MARKUP}"`);
    expect(await page.locator('main img, main script, main b').count()).toBe(0);

    // Clicking a check in the pyramid opens its evidence.
    const poolDetails = checkRow(page, 'lifecycle.pool').locator('details');
    expect(await poolDetails.count()).toBe(1);
    await cell(page, 'lifecycle', 'bronze').locator('li[data-check="lifecycle.pool"] button').click();
    expect(await poolDetails.getAttribute('open')).not.toBeNull();

    // The trend: two days, none then bronze, drawn and counted.
    const points = page.getByTestId('trend-day');
    expect(await points.evaluateAll((els) => els.map((e) => [e.getAttribute('data-day'), e.getAttribute('data-level')]))).toEqual([
      ['2026-12-06', 'none'],
      ['2026-12-07', 'bronze'],
    ]);
    expect(await page.getByTestId('scorecard-trend-chart').getAttribute('aria-label')).toBe('level over 2 day(s): none on 2026-12-06, bronze on 2026-12-07');
    const history = page.getByTestId('scorecard-history');
    expect(await history.locator('tbody tr').count()).toBe(2);
    const day2 = api.history[1];
    expect(await history.locator('tr[data-day="2026-12-07"]').innerText()).toMatch(new RegExp(`^2026-12-07\\s+bronze\\s+${day2.passed}\\s+${day2.failed}\\s+${day2.notMeasured}$`));

    // The notices: the team was told when the probe check broke.
    expect(await page.getByTestId('scorecard-notices').innerText()).toContain('cart: a scorecard check started failing');
    await page.screenshot({ path: artifactPath('console-scorecard.png'), fullPage: true });

    // On a phone both pages fit the screen's width: wide tables and the graph scroll inside their cards.
    for (const route of ['#/catalog', '#/catalog/cart']) {
      const phone = await openConsole(browser, `${server.url}/${route}`, { width: 390, height: 844 });
      await phone.page.getByTestId(route === '#/catalog' ? 'dependency-graph' : 'pyramid').waitFor();
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), route).toBeLessThanOrEqual(0);
      await phone.page.screenshot({ path: artifactPath(`console-${route === '#/catalog' ? 'catalog' : 'scorecard'}-phone.png`), fullPage: true });
      expect(phone.errors).toEqual([]);
      await phone.page.close();
    }

    // Nothing ran from the untrusted strings, and nothing was logged.
    expect(errors).toEqual([]);
  }, 60_000);
});
