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
  it("shows an alert's description, runbook and source links, PagerDuty's details, and the remediations of the alert", async () => {
    process.env.ONCALLER_TEST_ROUTING_KEY = 'r'.repeat(32);
    const withPagerduty = `${base}---
apiVersion: prodeng/v1
kind: Service
metadata: { name: payments }
spec:
  owner: platform
  integrationKeys:
    - { name: events-v2, env: ONCALLER_TEST_ROUTING_KEY }
`;
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: withPagerduty });
    const node = { alertname: 'NodeDown', job: 'node', instance: 'node-3:9100', cluster: 'eu-1' };
    await server.request('POST', '/api/v2/alerts', [
      {
        labels: node,
        annotations: { summary: 'node-3 is down', description: 'node-3 stopped answering its exporter for 5 minutes', runbook_url: 'https://wiki.example.com/runbooks/node-down', dashboard: 'javascript:alert(1)' },
        generatorURL: 'http://prometheus.example.com/graph?g0.expr=up%3D%3D0',
      },
    ]);
    // A second alert about the same target joins the remediation under way.
    await server.request('POST', '/api/v2/alerts', [{ labels: { ...node, severity: 'page' }, annotations: { summary: 'node-3 down (page)' } }]);
    const ofSecond = (await server.request('GET', '/api/v1/remediations?alert=2')).body.remediations;
    expect(ofSecond.map((r: any) => r.id)).toEqual([1]);
    expect((await server.request('GET', '/api/v1/remediations?alert=1,2')).body.remediations.map((r: any) => r.id)).toEqual([1]);
    expect((await server.request('GET', '/api/v1/remediations?alert=12')).body.remediations).toEqual([]);
    expect((await server.request('GET', '/api/v1/remediations?alert=one')).status).toBe(400);
    await server.request('POST', '/v2/enqueue', {
      routing_key: 'r'.repeat(32),
      event_action: 'trigger',
      client_url: 'https://monitoring.example.com/checks/42',
      links: [{ href: 'https://status.example.com/gateway', text: 'Gateway status' }],
      payload: { summary: 'Payment gateway timeouts', source: 'pay-1.example.com', severity: 'error', custom_details: { p99_ms: 2300, region: 'eu-west-1' } },
    });

    const { page, errors } = await openConsole(browser, `${server.url}/#/alerts/1`);
    await page.getByTestId('alert-description').getByText('node-3 stopped answering its exporter for 5 minutes').waitFor({ timeout: 10_000 });
    expect(await page.getByRole('link', { name: 'Runbook', exact: true }).getAttribute('href')).toBe('https://wiki.example.com/runbooks/node-down');
    expect(await page.getByRole('link', { name: /^Source/ }).getAttribute('href')).toBe('http://prometheus.example.com/graph?g0.expr=up%3D%3D0');
    // Alert data is whoever sent it: a javascript: address is shown, never a link.
    expect(await page.getByTestId('alert-annotations').innerText()).toContain('javascript:alert(1)');
    expect(await page.getByTestId('alert-annotations').locator('a[href^="javascript"]').count()).toBe(0);
    const remediations = page.getByTestId('alert-remediations');
    await remediations.getByText('node-repair').waitFor();
    expect(await remediations.innerText()).toContain('node-3:9100');
    await page.screenshot({ path: artifactPath('console-alert-annotations.png'), fullPage: true });
    await remediations.getByRole('link', { name: '#1' }).click();
    await page.waitForURL(/#\/remediations\/1$/);
    await page.getByRole('heading', { name: /Remediation #1: node-repair on node-3:9100/ }).waitFor();

    // The attached alert lists the same remediation.
    await page.goto(`${server.url}/#/alerts/2`);
    await page.getByTestId('alert-remediations').getByRole('link', { name: '#1' }).waitFor({ timeout: 10_000 });

    await page.goto(`${server.url}/#/alerts/3`);
    const details = page.getByTestId('custom-details');
    await details.waitFor({ timeout: 10_000 });
    expect(await details.innerText()).toMatch(/p99_ms\s+2300/);
    expect(await details.innerText()).toMatch(/region\s+eu-west-1/);
    expect(await page.getByRole('link', { name: 'Gateway status' }).getAttribute('href')).toBe('https://status.example.com/gateway');
    expect(await page.getByRole('link', { name: /^Source/ }).getAttribute('href')).toBe('https://monitoring.example.com/checks/42');
    await page.getByText('None: no runbook acted on this alert.').waitFor();
    await page.screenshot({ path: artifactPath('console-alert-pagerduty.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);
  it('names in the incident timeline the host and what failed, and links the remediations', async () => {
    const failing = `${base}---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: platform }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-cart }
spec:
  match: { alertname: CartDown }
  service: cart
  target: "{{ labels.instance }}"
  steps: [{ name: restart, action: exec, with: { argv: ["false"] } }]
`;
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: failing });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CartDown', instance: 'cart-1', service: 'cart' }, annotations: { summary: 'cart answers 503' } }]);
    await server.remediation.runOnce();
    expect((await server.request('GET', '/api/v1/remediations/1')).body.status).toBe('escalated');
    const incident = (await server.request('GET', '/api/v1/incidents')).body.incidents[0];
    expect(incident).toBeTruthy();

    const { page, errors } = await openConsole(browser, `${server.url}/#/incidents/${incident.id}`);
    const failed = page.getByTestId('incident-alerts');
    await failed.getByText('cart answers 503').waitFor({ timeout: 10_000 });
    expect(await failed.innerText()).toMatch(/alert #1 cart-1: cart answers 503 \(firing\)/);
    const timeline = page.getByTestId('incident-timeline');
    await timeline.getByText(/alert 1 firing — cart-1: cart answers 503/).waitFor();
    // The remediation's audit in the timeline links to its page, and so does the list of the alerts' remediations.
    expect(await timeline.getByRole('link', { name: 'remediation 1' }).first().getAttribute('href')).toBe('#/remediations/1');
    await page.getByTestId('alert-remediations').getByRole('link', { name: '#1' }).waitFor();
    await page.screenshot({ path: artifactPath('console-incident-what-failed.png'), fullPage: true });
    await page.getByTestId('alert-remediations').getByRole('link', { name: '#1' }).click();
    await page.getByRole('heading', { name: /Remediation #1: restart-cart on cart-1/ }).waitFor();
    expect(errors).toEqual([]);
  }, 30_000);
});
