import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../src/store/clock.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { startTestServer, type TestServer } from './support/testServer.js';

if (!haveChromium) console.warn('console page tests skipped: install the Debian package "chromium" (.ci/run does)');

const people = ['alice', 'bob', 'carol']
  .map((u) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${u} }\nspec: { email: ${u}@example.com }\n`)
  .join('---\n');

const config = `${people}---
apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: payments, labels: { job: checkout } }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: payments, labels: { job: cart } }
---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-primary }
spec:
  team: payments
  timeZone: UTC
  layers:
    - name: daily
      rotation: { every: daily, handoff: "00:00" }
      start: "2026-01-01T00:00:00"
      participants: [alice, bob]
`;

describe.skipIf(!haveChromium)('console pages in a real browser', () => {
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

  const alert = (alertname: string, job: string, summary: string) => ({ labels: { alertname, job, severity: 'critical', instance: `${job}-1:9100` }, annotations: { summary } });

  it('filters alerts by service, shows a new alert without a reload, silences from an alert and expires the silence', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: config });
    await server.request('POST', '/api/v2/alerts', [alert('CheckoutErrors', 'checkout', 'checkout 5xx at 12%'), alert('CartSlow', 'cart', 'cart p99 at 2 s')]);
    const { page, errors } = await openConsole(browser, `${server.url}/#/alerts`);
    await page.getByTestId('live').getByText('live').waitFor();
    await page.getByTestId('alert-list').getByText('cart p99 at 2 s').waitFor();

    await page.getByLabel('Service').fill('checkout');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('alert-list').getByText('cart p99 at 2 s').waitFor({ state: 'detached' });
    expect(await page.getByTestId('alert-list').innerText()).toContain('checkout 5xx at 12%');
    expect(page.url()).toContain('service=checkout');

    // While the stream is up the page polls only every 30 s: a new alert within 5 s came through it.
    await server.request('POST', '/api/v2/alerts', [alert('CheckoutLatency', 'checkout', 'checkout p99 at 3 s')]);
    await page.getByTestId('alert-list').getByText('checkout p99 at 3 s').waitFor({ timeout: 5000 });
    await page.screenshot({ path: artifactPath('console-alerts.png'), fullPage: true });

    await page.getByRole('link', { name: 'checkout 5xx at 12%' }).click();
    await page.getByTestId('alert-history').getByText('firing').waitFor();
    // Match every label but the instance (unchecked by default) and severity.
    await page.getByRole('checkbox', { name: 'severity="critical"' }).uncheck();
    await page.getByLabel('For').selectOption('2h');
    await page.getByLabel('You are').fill('dana');
    await page.getByLabel('Comment').fill('CHG-42 payment provider maintenance');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByTestId('alert-status').getByText('silenced by').waitFor();

    const silences = (await server.request('GET', '/api/v1/silences?state=active')).body.silences;
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ createdBy: 'dana', comment: 'CHG-42 payment provider maintenance' });
    expect(silences[0].matchers.map((m: any) => `${m.name}=${m.value}`).sort()).toEqual(['alertname=CheckoutErrors', 'job=checkout']);
    expect(Date.parse(silences[0].endsAt) - Date.parse(silences[0].startsAt)).toBe(2 * 3_600_000);

    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByTestId('silence-list').getByText('CHG-42 payment provider maintenance').waitFor();
    // Declining keeps it; accepting expires it.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('button', { name: 'Expire' }).click();
    expect((await server.request('GET', '/api/v1/silences?state=active')).body.silences).toHaveLength(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Expire' }).click();
    await page.getByTestId('silence-list').getByText('CHG-42').waitFor({ state: 'detached' });
    expect((await server.request('GET', '/api/v1/silences?state=active')).body.silences).toHaveLength(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('adds an on-call override from the calendar page; it shows in the calendar and in who is on call, and can be cancelled', async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(Date.now()), configYaml: config });
    const before = (await server.request('GET', '/api/v1/oncall')).body.oncall.map((o: any) => o.user);
    expect(before).toHaveLength(1);
    const { page, errors } = await openConsole(browser, `${server.url}/#/oncall`);
    await page.getByTestId('calendar-payments-primary').getByTestId('shift').first().waitFor();
    await page.getByLabel('Who covers').fill('carol');
    await page.getByLabel('Instead of').selectOption(before[0]);
    await page.getByLabel('Reason').fill('swap for a dentist visit');
    await page.getByLabel('You are').fill(before[0]);
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByRole('status').getByText(`carol is on call instead of ${before[0]}`).waitFor();

    await page.getByTestId('overrides-payments-primary').getByText(`carol instead of ${before[0]}`).waitFor();
    const override = page.getByTestId('calendar-payments-primary').locator('.shift.override');
    await override.first().waitFor();
    expect(await override.first().innerText()).toMatch(/^carol/);
    await page.getByTestId('oncall-now-all').getByText('carol').waitFor();
    expect((await server.request('GET', '/api/v1/oncall')).body.oncall.map((o: any) => o.user)).toEqual(['carol']);
    await page.screenshot({ path: artifactPath('console-oncall-override.png'), fullPage: true });

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel override' }).click();
    await page.getByTestId('overrides-payments-primary').waitFor({ state: 'detached' });
    expect((await server.request('GET', '/api/v1/oncall')).body.oncall.map((o: any) => o.user)).toEqual(before);

    // A bad override is refused with the server's reason, and nothing is stored.
    await page.getByLabel('Who covers').fill('mallory');
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByRole('alert').getByText(/^user: /).waitFor();
    expect((await server.request('GET', '/api/v1/schedules/payments-primary/overrides')).body.overrides.filter((o: any) => !o.cancelledAt)).toEqual([]);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  }, 60_000);
});
