import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { startTestServer, type TestServer } from './support/testServer.js';

if (!haveChromium) console.warn('console on-caller browser tests skipped: install the Debian package "chromium" (.ci/run does)');

// What the on-caller sees (issue 13): every page says what failed, where, and what automation did about it.
const base = `apiVersion: prodeng/v1
kind: Team
metadata: { name: platform }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: nodes }
spec: { owner: platform, labels: { job: node } }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: node-repair }
spec:
  match: { alertname: NodeDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  safety: { maxUnhealthy: { per: cluster, max: "10%" } }
`;

describe.skipIf(!haveChromium)('what the on-caller sees, in a real browser', () => {
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

  it('shows a remediation whose plan is empty (refused: the alert has no cluster) instead of going blank', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: base });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'NodeDown', job: 'node', instance: 'node-7:9100' }, annotations: { summary: 'node-7 is down' } }]);
    const stored = (await server.request('GET', '/api/v1/remediations/1')).body;
    expect(stored.reason).toMatch(/no cluster/);
    const { page, errors } = await openConsole(browser, `${server.url}/#/remediations/1`);
    await page.getByTestId('remediation-status').getByText(/no cluster/).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toContain('node-repair on node-7:9100');
    expect(await page.getByTestId('remediation-plan').innerText()).toMatch(/No plan/);
    expect(await page.getByTestId('remediation-timeline').innerText()).toMatch(/no cluster/);
    await page.screenshot({ path: artifactPath('console-remediation-refused.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows a page that throws as an error in its place, with the message, and the rest of the console keeps working', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: base });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Other', job: 'node', instance: 'node-1:9100' }, annotations: { summary: 'something' } }]);
    const { page } = await openConsole(browser, `${server.url}/#/`);
    await page.getByRole('navigation', { name: 'main' }).waitFor();
    // An answer no page expects (a proxy's, an older server's): the alert page cannot render it.
    await page.route('**/api/v1/alerts/1', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 1, summary: 'x', labels: {}, annotations: {}, history: 'not a list' }) }));
    await page.goto(`${server.url}/#/alerts/1`);
    const failed = page.getByTestId('page-error');
    await failed.waitFor({ timeout: 10_000 });
    expect(await failed.innerText()).toMatch(/This page failed/);
    expect(await failed.innerText()).toMatch(/is not a function|Cannot read|not iterable/);
    // The header still works, and another page renders.
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByTestId('alert-list').getByText('something').waitFor();
    expect(await page.getByTestId('page-error').count()).toBe(0);
  }, 30_000);
});
