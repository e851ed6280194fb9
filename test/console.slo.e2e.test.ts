import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { sloMinutes } from './support/sloMinutes.js';

if (!haveChromium) console.warn('console SLO test skipped: install the Debian package "chromium" (.ci/run does)');

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec: { service: checkout, objective: 99.9, description: "checkouts go through", indicator: { events: {} } }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-latency }
spec: { service: checkout, objective: 99, indicator: { events: {} } }
`;

describe.skipIf(!haveChromium)('the console SLO pages in a real browser', () => {
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

  it('lists SLOs with their budget and alert, and shows one with its burn-down and, on the same axis, its alert and incident', async () => {
    const clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 - 90 * 60_000 + 30_000);
    server = await startTestServer('sqlite', { clock, configYaml: config });
    const minute = sloMinutes(() => server!, () => clock, 'checkout-availability');
    for (let m = 0; m < 60; m++) await minute(1000, 0);
    await minute(0, 1000);
    await minute(0, 1000);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toHaveLength(1);

    const { page, errors } = await openConsole(browser, `${server.url}/#/slos`);
    const list = page.getByTestId('slo-list');
    await list.getByText('checkout-availability').waitFor();
    expect(await list.innerText()).toMatch(/checkout-availability\s+checkout\s+99\.9%\s+rolling 30d\s+-3\d\d\d\.\d%\s+page-fast \(page\)/);
    // No event in over an hour: a no-data ticket, the budget untouched.
    expect(await list.innerText()).toMatch(/checkout-latency\s+checkout\s+99%\s+rolling 30d\s+100\.0%\s+no-data \(ticket\)/);

    await page.getByRole('link', { name: 'checkout-availability' }).click();
    await page.getByTestId('slo-alert').getByText('Alert: page-fast (page)').waitFor();
    expect(await page.getByTestId('slo-budget').innerText()).toMatch(/of the error budget left: 2,000 bad of 62,000 events, 62 allowed/);
    expect(await page.getByTestId('slo-burn').innerText()).toMatch(/page-fast\s+14\.4×\s+[\d.]+× over 1h\s+[\d.]+× over 5m\s+yes/);
    const chart = page.getByTestId('slo-burndown');
    await chart.locator('[data-testid="slo-mark-incident"]').first().waitFor({ state: 'attached' });
    expect(await chart.locator('[data-testid="slo-mark-alert"]').count()).toBe(1);
    expect(await chart.locator('[data-testid="slo-mark-incident"]').count()).toBe(1);
    expect(await chart.locator('path.line').count()).toBe(1);
    await page.screenshot({ path: artifactPath('console-slo.png'), fullPage: true });
    await page.getByRole('link', { name: /alert \d+/ }).click();
    await page.getByTestId('alert-history').waitFor();
    // The Reports page says what each objective achieved over its window.
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    const objectives = page.getByTestId('team-slos');
    await objectives.getByText('checkout-availability').waitFor();
    expect(await objectives.innerText()).toMatch(/shop\s+checkout-availability\s+99\.9%\s+96\.774% \(missed\)\s+62,000/);
    expect(errors).toEqual([]);
  }, 60_000);
});
