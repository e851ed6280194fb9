import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { waitFor } from './support/peers.js';
import { startTestServer, type TestServer } from './support/testServer.js';

if (!haveChromium) console.warn('console lab browser test skipped: install the Debian package "chromium" (.ci/run does)');

// A game day as a trainee would run it: the console against the lab, a shop
// host broken from the Fleet page, the repair watched live, then the reports.
describe.skipIf(!haveChromium)('the console against a running lab', () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
    await waitFor('every shop host in service', async () => (await server.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('breaks a cart host from the Fleet page, shows the remediation appear and finish, its gates and steps, then the alert and the Pareto chart', async () => {
    const { page, errors } = await openConsole(browser, server.url);
    await page.getByTestId('live').getByText('live').waitFor();

    // Keyboard: the main navigation is reachable with Tab and works with Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Alerts');
    await page.getByRole('link', { name: 'Fleet', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Lab: break the demo shop' }).waitFor();
    await page.getByTestId('hosts-cart').waitFor();
    await page.screenshot({ path: artifactPath('console-fleet.png'), fullPage: true });

    await page.getByLabel('Service').selectOption('cart');
    await page.getByRole('button', { name: 'Break: crash' }).click();
    const result = await page.getByTestId('lab-result').innerText();
    const victim = /^(cart-\d+): exiting/.exec(result)?.[1];
    expect(victim, result).toBeTruthy();

    await page.getByRole('link', { name: 'Remediations', exact: true }).click();
    const row = page.getByTestId('remediation-list').getByRole('row').filter({ hasText: victim! });
    await row.filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await row.getByRole('link').click();
    await page.getByTestId('remediation-status').getByText('succeeded').waitFor();
    const gates = await page.getByTestId('gate-verdicts').innerText();
    expect(gates).toMatch(/maxUnhealthy\s+pass/);
    expect(gates).toMatch(/cooldown\s+pass/);
    const audit = await page.getByTestId('remediation-timeline').innerText();
    expect(audit).toContain('step.finished');
    expect(audit).toContain(`${victim} replaced by cart-`);
    expect(audit).toContain('verified');
    await page.getByText('output').first().click();
    expect(await page.locator('pre').first().innerText()).toContain('"replaces":');
    await page.screenshot({ path: artifactPath('console-remediation-detail.png'), fullPage: true });

    // The alert that started it, resolved, with its history.
    await page.getByRole('link', { name: /^#\d+$/ }).first().click();
    await page.getByTestId('alert-history').getByText('resolved').waitFor();
    expect(await page.getByTestId('alert-status').innerText()).toMatch(/^resolved/);
    await page.screenshot({ path: artifactPath('console-alert.png'), fullPage: true });

    // Reports: the chart's bars are the Pareto the API computes, and the crash is among them.
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByTestId('pareto-chart').waitFor();
    const api = (await server.request('GET', '/api/v1/reports/pareto')).body;
    const bars = await page.getByTestId('pareto-bar').evaluateAll((els) => els.map((e) => ({ template: e.getAttribute('data-template'), count: Number(e.getAttribute('data-count')) })));
    expect(bars).toEqual(api.entries.map((e: any) => ({ template: e.template, count: e.count })));
    expect(bars.some((b) => /ECONNREFUSED/.test(b.template ?? ''))).toBe(true);
    expect(await page.getByTestId('pareto-summary').innerText()).toContain(`${api.total} alert(s)`);
    expect(await page.getByTestId('pareto-cumulative').getAttribute('points')).toMatch(/\d/);
    expect(await page.getByTestId('team-report').innerText()).toMatch(/shop\s+cart\s+\d+.*100% of \d+\s+\d+/);
    await page.screenshot({ path: artifactPath('console-reports.png'), fullPage: true });

    // On-call: the lab's schedule, someone on call now, a week of shifts with the shadow.
    await page.getByRole('link', { name: 'On-call', exact: true }).click();
    await page.getByTestId('calendar-shop-primary').getByTestId('shift').first().waitFor();
    expect(await page.getByTestId('oncall-now-all').innerText()).toMatch(/shop-primary \(shop\): \w+/);
    expect(await page.getByTestId('calendar-shop-primary').innerText()).toContain('+new-hire');
    await page.screenshot({ path: artifactPath('console-oncall.png'), fullPage: true });

    // Every page at phone size, still without errors.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [['', 'overview'], ['alerts', 'alerts'], ['fleet', 'fleet'], ['reports', 'reports'], ['oncall', 'oncall'], ['incidents', 'incidents']] as const) {
      await page.goto(`${server.url}/#/${path}`);
      await page.getByRole('navigation', { name: 'main' }).waitFor();
      await page.waitForTimeout(1000);
      await page.screenshot({ path: artifactPath(`console-${name}-phone.png`), fullPage: true });
      // Nothing wider than the screen but tables, which scroll inside their card.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} is wider than a phone`).toBeLessThanOrEqual(0);
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
