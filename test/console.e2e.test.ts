import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { startTestServer, type TestServer } from './support/testServer.js';

if (!haveChromium) console.warn('console browser test skipped: install the Debian package "chromium" (.ci/run does)');

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: payments, labels: { job: checkout } }
`;

describe.skipIf(!haveChromium)('the web console in a real browser', () => {
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

  it('shows firing alerts by service, open incidents and the kill switch, at desktop and phone size, without console errors', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CheckoutErrors', job: 'checkout' }, annotations: { summary: 'checkout 5xx at 12%' } }]);
    await server.request('POST', '/api/v1/incidents', { title: 'card payments failing', service: 'checkout', by: 'dana' });
    await server.request('POST', '/api/v1/automation/pause', { by: 'alice', reason: 'game day' });

    const { page, errors } = await openConsole(browser, server.url, { width: 1280, height: 800 });
    await page.getByTestId('firing-by-service').getByText('checkout').waitFor();
    expect(await page.getByTestId('firing-by-service').innerText()).toContain('checkout: 1 — checkout 5xx at 12%');
    expect(await page.getByTestId('automation-state').innerText()).toBe('Paused by alice: game day');
    expect(await page.getByTestId('open-incidents').innerText()).toContain('card payments failing');
    await page.screenshot({ path: artifactPath('console-overview-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: artifactPath('console-overview-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('opens an incident from the overview, acknowledges it, adds a note, and shows them in its timeline', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config });
    await server.request('POST', '/api/v1/incidents', { title: 'card payments failing', service: 'checkout', by: 'dana' });
    const { page, errors } = await openConsole(browser, server.url, { width: 1280, height: 800 });
    await page.getByRole('link', { name: /card payments failing/ }).click();
    await page.getByTestId('incident-status').getByText(/^open/).waitFor();
    await page.getByLabel('You are').fill('bob');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('incident-status').getByText('acknowledged (acknowledged by bob)').waitFor();
    await page.getByLabel('Note').fill('failing over the payments DB');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('incident-timeline').getByText('failing over the payments DB').waitFor();
    const timeline = await page.getByTestId('incident-timeline').innerText();
    expect(timeline).toContain('acknowledged by bob (API); escalation stopped');
    // Someone else's note, through the API, reaches the open page by the event stream: while the stream is
    // live the page polls only every 30 s, so it showing within 10 s is the stream's doing.
    await page.locator('.live.on').waitFor();
    await server.request('POST', '/api/v1/incidents/1/notes', { by: 'dana', text: 'payments DB is primary again' });
    await page.getByTestId('incident-timeline').getByText('payments DB is primary again').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifactPath('console-incident.png'), fullPage: true });
    const detail = await server.request('GET', '/api/v1/incidents/1');
    expect(detail.body.timeline.map((t: any) => t.kind)).toEqual(expect.arrayContaining(['opened', 'acknowledged', 'note']));
    expect(errors).toEqual([]);
  }, 30_000);

  it('approves a remediation that waits for approval, and pauses automation only after asking', async () => {
    const withRunbook = `${config}---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: careful-restart }
spec:
  match: { alertname: CheckoutDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  safety: { requireApproval: true }
`;
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: withRunbook });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CheckoutDown', instance: 'co-1', job: 'checkout' } }]);
    await server.remediation.runOnce();
    const { page, errors } = await openConsole(browser, `${server.url}/#/remediations`, { width: 1280, height: 800 });
    await page.getByLabel('You are').fill('carol');
    await page.getByLabel('Why').fill('checked the dashboards');
    await page.getByRole('button', { name: 'Approve #1' }).click();
    await expect.poll(async () => (await server!.request('GET', '/api/v1/remediations/1')).body.reason as string).toMatch(/^approved by carol: checked the dashboards/);
    // Declining the confirmation leaves automation running; accepting pauses it.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Pause automation' }).click();
    expect((await server.request('GET', '/api/v1/automation')).body.paused).toBe(false);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Pause automation' }).click();
    await page.getByTestId('kill-switch').getByText('paused by carol').waitFor();
    await page.screenshot({ path: artifactPath('console-remediations.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it('asks for an API token when the server wants one, and keeps it for the session only', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: config, apiTokens: ['console-token'] });
    const { page } = await openConsole(browser, server.url, { width: 1280, height: 800 });
    await page.getByLabel('API token').fill('console-token');
    await page.keyboard.press('Enter');
    await page.getByTestId('automation-state').getByText('Running').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('prodeng.token'))).toBe('console-token');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    // Documents the API serves as text come with the token too: the postmortem draft of an incident.
    const auth = { authorization: 'Bearer console-token' };
    await server.request('POST', '/api/v1/incidents', { title: 'card payments failing', service: 'checkout', by: 'dana' }, auth);
    await server.request('POST', '/api/v1/incidents/1/notes', { by: 'dana', text: 'rolled back release 41' }, auth);
    await page.goto(`${server.url}/#/incidents/1`);
    await page.getByRole('button', { name: 'Postmortem draft' }).click();
    const draft = await page.getByTestId('postmortem-draft').innerText();
    expect(draft).toContain('# Postmortem: card payments failing');
    expect(draft).toContain('rolled back release 41');
    await page.screenshot({ path: artifactPath('console-postmortem.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
    expect(download.suggestedFilename()).toBe('incident-1-postmortem.md');
  }, 30_000);

  it('signs in with a token of a user: shows who it is, and acknowledges as that user whatever name the browser remembered', async () => {
    process.env.CONSOLE_TOKEN_ERIN = 'erin-responder-token';
    const withToken = `${config}---
apiVersion: prodeng/v1
kind: User
metadata: { name: erin }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: erin-browser }
spec: { user: erin, role: responder, tokenEnv: CONSOLE_TOKEN_ERIN }
`;
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: withToken, apiTokens: ['console-admin-token'] });
    await server.request('POST', '/api/v1/incidents', { title: 'checkout slow', service: 'checkout' }, { authorization: 'Bearer console-admin-token' });
    const { page, errors } = await openConsole(browser, server.url, { width: 1280, height: 800 });
    await page.evaluate(() => localStorage.setItem('prodeng.who', 'mallory'));
    await page.getByLabel('API token').fill('erin-responder-token');
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in').getByText('erin · responder').waitFor();
    errors.length = 0; // the 401s that asked for the token are behind us
    await page.goto(`${server.url}/#/incidents/1`);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('incident-status').getByText('acknowledged by erin').waitFor();
    expect(errors).toEqual([]);
  }, 30_000);
});
