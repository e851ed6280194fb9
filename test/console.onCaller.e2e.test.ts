import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ManualClock, systemClock } from '../src/store/clock.js';
import { waitFor } from './support/peers.js';
import { artifactPath, haveChromium, launchChromium, openConsole } from './support/browser.js';
import { describeEachStore } from './support/testDatabases.js';
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

// A pool of two real local processes that answer /healthz, probed every 500 ms.
function poolConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-oncaller-'));
  writeFileSync(join(dir, 'host.mjs'), `import http from 'node:http';
http.createServer((req, res) => (req.url === '/healthz' ? res.end('{"status":"ok"}') : res.writeHead(404).end())).listen(Number(process.argv[2]), '127.0.0.1');
`);
  return `apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: web }
spec: { owner: web }
---
apiVersion: prodeng/v1
kind: HostPool
metadata: { name: web }
spec:
  service: web
  cluster: local
  capacity: 2
  maxSurge: 1
  drainGrace: 100ms
  readiness: { http: { path: /healthz }, within: 10s }
  provider: { type: local-process, argv: ["${process.execPath}", "${join(dir, 'host.mjs')}", "{{ port }}"] }
---
apiVersion: prodeng/v1
kind: Probe
metadata: { name: web-health }
spec:
  hosts: { pool: web }
  http: { path: /healthz }
  interval: 500ms
  timeout: 400ms
  failureThreshold: 2
`;
}

// Two hosts that carry the lab's fault API (GET, POST and DELETE /_lab/faults), as the demo shop's do, without the whole shop.
function labPoolConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-oncaller-lab-'));
  writeFileSync(join(dir, 'host.mjs'), `import http from 'node:http';
let faults = [];
http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/healthz') return res.end('{"status":"ok"}');
    if (req.url !== '/_lab/faults') return res.writeHead(404).end('{}');
    if (req.method === 'POST') {
      faults.push(JSON.parse(body));
      return res.end(JSON.stringify({ effect: 'fault ' + faults.at(-1).fault + ' injected' }));
    }
    if (req.method === 'DELETE') faults = [];
    res.end(JSON.stringify({ faults }));
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
`);
  return `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: HostPool
metadata: { name: cart }
spec:
  service: cart
  capacity: 2
  readiness: { http: { path: /healthz }, within: 10s }
  provider: { type: local-process, argv: ["${process.execPath}", "${join(dir, 'host.mjs')}", "{{ port }}"] }
`;
}

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
  it('replaces and repairs a host from the Fleet page after asking in the page, and shows a host failing its probe first, as failing', async () => {
    server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 200, configYaml: poolConfig() });
    const hosts = async (state?: string) => (await server!.request('GET', `/api/v1/hosts?pool=web${state ? `&state=${state}` : ''}`)).body.hosts as any[];
    await waitFor('two hosts in service', async () => (await hosts('in_service')).length === 2, 20_000);
    const [first, other] = (await hosts('in_service')).map((h) => h.name as string).sort();
    const transitions = async (name: string) => (await server!.request('GET', `/api/v1/hosts/${name}`)).body.transitions.length as number;

    const { page, errors } = await openConsole(browser, `${server.url}/#/fleet`);
    const table = page.getByTestId('hosts-web');
    await table.getByRole('button', { name: `Replace ${first}` }).waitFor({ timeout: 10_000 });
    await page.getByLabel('You are').fill('dana');
    await page.getByLabel('Why').fill('disk errors in dmesg');

    // Cancel asks nothing of the fleet.
    const before = await transitions(first!);
    await table.getByRole('button', { name: `Replace ${first}` }).click();
    const dialog = page.getByRole('dialog', { name: `Replace ${first}?` });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/A new host is provisioned in pool web.*Reason: disk errors in dmesg/s);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForTimeout(500);
    expect(await transitions(first!)).toBe(before);
    expect((await hosts('in_service')).map((h) => h.name).sort()).toEqual([first, other]);

    // Confirmed, the host is replaced: a new one serves and the old one leaves service.
    await table.getByRole('button', { name: `Replace ${first}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: `Replace ${first}` }).click();
    await page.getByTestId('fleet-result').getByText(`replace ${first}: done`).waitFor({ timeout: 30_000 });
    const story = (await server.request('GET', `/api/v1/hosts/${first}`)).body.transitions;
    expect(story.some((t: any) => t.actor === 'dana' && /disk errors in dmesg/.test(t.reason))).toBe(true);
    expect(story.map((t: any) => `${t.from}->${t.to}`)).toContain('in_service->draining');
    expect((await hosts()).map((h) => h.name).filter((n) => n !== first && n !== other)).not.toEqual([]);

    // Repair: a host taken out of service is repaired and returns. (The replaced host's background repair
    // brings it back and the pool trims its surplus: wait for that first.)
    const settled = async () => {
      const all = await hosts();
      return all.filter((h) => h.state === 'in_service').length === 2 && !all.some((h) => ['provisioning', 'draining', 'repairing'].includes(h.state));
    };
    await waitFor('the pool to settle after the replacement', settled, 30_000);
    const second = (await hosts('in_service')).map((h) => h.name as string).sort()[0]!;
    await server.request('POST', `/api/v1/hosts/${second}/drain`, { by: 'dana', reason: 'look at it' });
    await table.getByRole('button', { name: `Repair ${second}` }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifactPath('console-fleet-repair.png'), fullPage: true });
    await table.getByRole('button', { name: `Repair ${second}` }).click();
    const repair = page.getByRole('dialog', { name: `Repair ${second}?` });
    await repair.waitFor();
    await page.screenshot({ path: artifactPath('console-fleet-confirm.png'), fullPage: true });
    await repair.getByRole('button', { name: `Repair ${second}` }).click();
    await page.getByTestId('fleet-result').getByText(`repair ${second}: done; ${second} is in service`).waitFor({ timeout: 30_000 });

    // A host whose process died fails its probe: shown first in its table, as failing.
    await waitFor('the pool to settle after the repair', settled, 30_000);
    const victim = (await hosts('in_service')).map((h) => h.name as string).sort().at(-1)!;
    const pid = Number.parseInt((await server.store.db.selectFrom('hosts').select('provider_ref').where('name', '=', victim).executeTakeFirstOrThrow()).provider_ref!, 10);
    process.kill(pid, 'SIGKILL');
    const row = table.locator(`tr[data-host="${victim}"]`);
    await row.locator('.badge.failing').waitFor({ timeout: 15_000 });
    expect(await table.locator('tbody tr').first().getAttribute('data-host')).toBe(victim);
    expect(await row.evaluate((el) => getComputedStyle(el.querySelector('td')!).color)).toBe('rgb(180, 35, 24)');
    await page.screenshot({ path: artifactPath('console-fleet-failing.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);
  it("lets the lab's break buttons pick the host of the service (any by default)", async () => {
    server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 200, configYaml: labPoolConfig() });
    const lab = async () => (await server!.request('GET', '/api/v1/lab')).body as { hosts: Array<{ host: string; faults: string[] }> };
    await waitFor('two lab hosts', async () => (await lab()).hosts.length === 2, 20_000);
    const names = (await lab()).hosts.map((h) => h.host).sort();
    const faultsOf = async () => Object.fromEntries((await lab()).hosts.map((h) => [h.host, h.faults]));

    const { page, errors } = await openConsole(browser, `${server.url}/#/fleet`);
    const hostSelect = page.getByLabel('Host');
    await hostSelect.waitFor({ timeout: 10_000 });
    expect(await hostSelect.inputValue()).toBe('');
    expect(await hostSelect.locator('option').allInnerTexts()).toEqual(['any', ...names]);

    // The second host, picked: the fault lands there and nowhere else.
    await hostSelect.selectOption(names[1]!);
    await page.getByRole('button', { name: 'Break: slow' }).click();
    await page.getByTestId('lab-result').getByText(`${names[1]}: fault slow injected.`).waitFor();
    expect(await faultsOf()).toEqual({ [names[0]!]: [], [names[1]!]: ['slow'] });
    await page.screenshot({ path: artifactPath('console-lab-host.png'), fullPage: true });
    await page.getByRole('button', { name: `Heal ${names[1]}` }).click();
    await page.getByTestId('lab-result').getByText(`Healed ${names[1]}.`).waitFor();

    // Back to any: the server picks.
    await hostSelect.selectOption('any');
    await page.getByRole('button', { name: 'Break: errors' }).click();
    await page.getByTestId('lab-result').getByText(/: fault errors injected\.$/).waitFor();
    expect(Object.values(await faultsOf()).flat()).toEqual(['errors']);
    expect(errors).toEqual([]);
  }, 60_000);
});

// The read the alert and incident pages use, on both stores (no browser needed).
describeEachStore('GET /api/v1/remediations?alert=', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('lists the remediations an alert started or joined, newest first, with the other filters', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.now()), configYaml: base });
    const node = (instance: string, extra: Record<string, string> = {}) => ({ labels: { alertname: 'NodeDown', job: 'node', instance, cluster: 'eu-1', ...extra } });
    await server.request('POST', '/api/v2/alerts', [node('n-1')]); // alert 1 starts remediation 1
    await server.request('POST', '/api/v2/alerts', [node('n-1', { severity: 'page' })]); // alert 2 joins it
    for (let i = 2; i <= 11; i++) await server.request('POST', '/api/v2/alerts', [node(`n-${i}`)]); // alerts 3..12, remediations 2..11
    const ids = async (q: string) => ((await server!.request('GET', `/api/v1/remediations?${q}`)).body.remediations as any[]).map((r) => r.id);
    expect(await ids('alert=1')).toEqual([1]);
    expect(await ids('alert=2')).toEqual([1]);
    expect(await ids('alert=12')).toEqual([11]);
    expect(await ids('alert=3,12,2')).toEqual([11, 2, 1]);
    expect(await ids('alert=3,12&status=escalated')).toEqual([]);
    expect(await ids('alert=3,12&limit=1')).toEqual([11]);
    expect(await ids('alert=99')).toEqual([]);
    for (const bad of ['alert=', 'alert=x', 'alert=1,-2', 'alert=1.5']) expect((await server.request('GET', `/api/v1/remediations?${bad}`)).status, bad).toBe(400);
  });
});
