import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { haveChromium, launchChromium, openConsole } from './support/browser.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 19, changes on the record: recorded through the API and the CLI, who
// from the credential, and shown with every incident opened within the hour
// after them, for the incident's service and for what it depends on.

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

async function prodeng(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const T0 = Date.parse('2026-11-20T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

const BOT = 'changes-deploy-bot-secret';
const ALICE = 'changes-alice-secret';
const READER = 'changes-reader-secret';

// checkout calls payments, payments calls ledger; cart is on its own.
const config = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
spec: { email: alice@example.com }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice }] }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop, dependsOn: [{ service: payments, required: true }] }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: payments }
spec: { owner: shop, dependsOn: [{ service: ledger, required: true }] }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: ledger }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: deploy-bot }
spec: { role: intake, tokenEnv: CHANGES_TOKEN_BOT }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: alice-laptop }
spec: { user: alice, role: responder, tokenEnv: CHANGES_TOKEN_ALICE }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: dashboard }
spec: { role: read-only, tokenEnv: CHANGES_TOKEN_READER }
`;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function startServer(kind: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  process.env.CHANGES_TOKEN_BOT = BOT;
  process.env.CHANGES_TOKEN_ALICE = ALICE;
  process.env.CHANGES_TOKEN_READER = READER;
  return startTestServer(kind, { configYaml: config, clock: new ManualClock(T0) });
}

describeEachStore('changes on the record', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer(kind);
  });
  afterEach(async () => server?.stop());

  const record = (body: Record<string, unknown>, token = BOT) => server.request('POST', '/api/v1/changes', body, bearer(token));
  const list = async (query = '') => {
    const res = await server.request('GET', `/api/v1/changes${query}`, undefined, bearer(READER));
    expect(res.status).toBe(200);
    return res.body.changes as any[];
  };

  it('records a change: 201 with what was stored, who from the credential, the typed name only a label', async () => {
    const res = await record({ service: 'checkout', version: '1.4.2', kind: 'deploy', summary: 'Raise the DB pool to 40', commit: '3F9C2AB0D1', link: 'https://ci.example.com/runs/42', by: 'mallory' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      service: 'checkout',
      version: '1.4.2',
      kind: 'deploy',
      summary: 'Raise the DB pool to 40',
      who: 'deploy-bot (for mallory)',
      commit: '3f9c2ab0d1',
      link: 'https://ci.example.com/runs/42',
      source: 'api',
      at: iso(T0),
      details: {},
      receivedAt: iso(T0),
    });
    // A user's token: the user, whatever name is typed.
    const byAlice = await record({ service: 'cart', kind: 'flag', summary: 'Turn on one-click buy', by: 'mallory', at: iso(T0 - 10 * MIN) }, ALICE);
    expect(byAlice.status).toBe(201);
    expect(byAlice.body).toMatchObject({ who: 'alice', kind: 'flag', version: null, commit: null, link: null, at: iso(T0 - 10 * MIN) });
    // No token, or a token that may only read: refused, nothing stored.
    expect((await server.request('POST', '/api/v1/changes', { service: 'cart', kind: 'config', summary: 'x' })).status).toBe(401);
    expect((await record({ service: 'cart', kind: 'config', summary: 'x' }, READER)).status).toBe(403);
    expect((await list()).map((c) => c.summary)).toEqual(['Raise the DB pool to 40', 'Turn on one-click buy']);
  });

  it('refuses a bad change with 400 naming the field, and stores nothing', async () => {
    const refused = async (body: Record<string, unknown>) => {
      const res = await record(body);
      expect(res.status).toBe(400);
      return { field: res.body.error.fields?.[0]?.field, message: res.body.error.message as string };
    };
    const ok = { service: 'checkout', kind: 'deploy', summary: 'Ship it' };
    expect(await refused({ ...ok, service: 'chekout' })).toEqual({ field: 'service', message: expect.stringContaining('did you mean "checkout"') });
    expect(await refused({ kind: 'deploy', summary: 'no service' })).toMatchObject({ field: 'service' });
    expect(await refused({ ...ok, kind: 'rollout' })).toEqual({ field: 'kind', message: 'kind: must be one of deploy, config, flag, other' });
    expect(await refused({ service: 'checkout', summary: 'no kind' })).toMatchObject({ field: 'kind' });
    expect(await refused({ ...ok, summary: '  ' })).toMatchObject({ field: 'summary' });
    expect(await refused({ ...ok, summary: 'two\nlines' })).toMatchObject({ field: 'summary' });
    expect(await refused({ ...ok, commit: 'not-a-sha' })).toMatchObject({ field: 'commit' });
    expect(await refused({ ...ok, link: 'javascript:alert(1)' })).toMatchObject({ field: 'link' });
    expect(await refused({ ...ok, at: 'yesterday' })).toMatchObject({ field: 'at' });
    expect(await refused({ ...ok, at: iso(T0 + 60 * MIN) })).toEqual({ field: 'at', message: expect.stringContaining("ahead of the server's clock") });
    expect(await refused({ ...ok, sha: 'abcdef1' })).toMatchObject({ field: 'sha' });
    expect(await list()).toEqual([]);
  });

  it('lists changes newest first, by service and time', async () => {
    for (const [service, minutesAgo, summary] of [
      ['checkout', 90, 'a'],
      ['cart', 60, 'b'],
      ['checkout', 30, 'c'],
      ['checkout', 5, 'd'],
    ] as const) {
      expect((await record({ service, kind: 'deploy', summary, at: iso(T0 - minutesAgo * MIN) })).status).toBe(201);
    }
    expect((await list()).map((c) => c.summary)).toEqual(['d', 'c', 'b', 'a']);
    expect((await list('?service=checkout')).map((c) => c.summary)).toEqual(['d', 'c', 'a']);
    expect((await list(`?service=checkout&since=${iso(T0 - 60 * MIN)}`)).map((c) => c.summary)).toEqual(['d', 'c']);
    expect((await list(`?since=${iso(T0 - 60 * MIN)}&until=${iso(T0 - 30 * MIN)}`)).map((c) => c.summary)).toEqual(['c', 'b']);
    expect((await list('?limit=1')).map((c) => c.summary)).toEqual(['d']);
    const typo = await server.request('GET', '/api/v1/changes?service=chekout', undefined, bearer(READER));
    expect(typo.status).toBe(400);
    expect(typo.body.error.fields[0]).toMatchObject({ field: 'service', message: expect.stringContaining('did you mean "checkout"') });
    const backwards = await server.request('GET', `/api/v1/changes?since=${iso(T0)}&until=${iso(T0 - MIN)}`, undefined, bearer(READER));
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields[0].field).toBe('until');
  });

  it("shows in the incident's view and timeline the changes of the hour before it opened and during it, its dependencies' too, and the postmortem lists them", async () => {
    const changes: Array<[string, number, string, string]> = [
      ['checkout', 120, 'deploy', 'checkout 1.4.0, two hours before'],
      ['checkout', 30, 'deploy', 'checkout 1.4.1, half an hour before'],
      ['payments', 20, 'config', 'payments timeout 2s to 500ms'],
      ['ledger', 10, 'flag', 'ledger batching on'],
      ['cart', 5, 'deploy', 'cart 9.9, unrelated'],
    ];
    for (const [service, minutesAgo, k, summary] of changes) {
      expect((await record({ service, kind: k, summary, at: iso(T0 - minutesAgo * MIN), ...(service === 'checkout' ? { version: '1.4.1', commit: 'abcdef1234' } : {}) })).status).toBe(201);
    }
    const opened = await server.request('POST', '/api/v1/incidents', { title: 'checkout errors', service: 'checkout' }, bearer(ALICE));
    expect(opened.status).toBe(201);
    const id = opened.body.id as number;
    // While it is open: a rollback, during the incident.
    (server.clock as ManualClock).advance(5 * MIN);
    expect((await record({ service: 'checkout', kind: 'deploy', summary: 'roll back to 1.4.0', version: '1.4.0' }, ALICE)).status).toBe(201);

    const incident = (await server.request('GET', `/api/v1/incidents/${id}`, undefined, bearer(READER))).body;
    expect(incident.changesBefore.map((c: any) => [c.service, c.summary, c.when, c.via])).toEqual([
      ['checkout', 'roll back to 1.4.0', 'during', null],
      ['ledger', 'ledger batching on', 'before', ['payments', 'ledger']],
      ['payments', 'payments timeout 2s to 500ms', 'before', ['payments']],
      ['checkout', 'checkout 1.4.1, half an hour before', 'before', null],
    ]);
    expect(incident.changesBefore[3]).toMatchObject({ kind: 'deploy', version: '1.4.1', commit: 'abcdef1234', who: 'deploy-bot', at: iso(T0 - 30 * MIN), source: 'api' });

    const timeline = incident.timeline as any[];
    const fromChanges = timeline.filter((t) => t.source === 'change');
    expect(fromChanges.map((t) => [t.at, t.kind, t.actor, t.message])).toEqual([
      [iso(T0 - 30 * MIN), 'change.deploy', 'deploy-bot', 'checkout deploy 1.4.1: checkout 1.4.1, half an hour before (commit abcdef1234)'],
      [iso(T0 - 20 * MIN), 'change.config', 'deploy-bot', 'payments config: payments timeout 2s to 500ms (checkout depends on payments)'],
      [iso(T0 - 10 * MIN), 'change.flag', 'deploy-bot', 'ledger flag: ledger batching on (checkout depends on payments → ledger)'],
      [iso(T0 + 5 * MIN), 'change.deploy', 'alice', 'checkout deploy 1.4.0: roll back to 1.4.0'],
    ]);
    // In time order with the incident's own events: the changes before it come before "opened".
    expect(timeline.findIndex((t) => t.kind === 'opened')).toBe(3);

    const postmortem = await server.request('GET', `/api/v1/incidents/${id}/postmortem`, undefined, bearer(READER));
    expect(postmortem.status).toBe(200);
    const draft = postmortem.body as string;
    const section = draft.slice(draft.indexOf('## What changed'), draft.indexOf('## Impact'));
    expect(section).toContain('| 2026-11-20 11:30:00 (30 min before) | checkout | deploy 1.4.1: checkout 1.4.1, half an hour before (commit abcdef1234) | deploy-bot |');
    expect(section).toContain('| 2026-11-20 11:40:00 (20 min before) | payments (dependency: payments) | config: payments timeout 2s to 500ms | deploy-bot |');
    expect(section).toContain('| 2026-11-20 11:50:00 (10 min before) | ledger (dependency: payments → ledger) | flag: ledger batching on | deploy-bot |');
    expect(section).toContain('| 2026-11-20 12:05:00 (5 min after it opened) | checkout | deploy 1.4.0: roll back to 1.4.0 | alice |');
    expect(section.indexOf('half an hour before')).toBeLessThan(section.indexOf('roll back'));
    expect(draft).not.toContain('two hours before');
    expect(draft).not.toContain('unrelated');

    // The unrelated service's incident sees only its own change; a change after resolution is not listed.
    const cartIncident = (await server.request('POST', '/api/v1/incidents', { title: 'cart slow', service: 'cart' }, bearer(ALICE))).body;
    expect((await server.request('POST', `/api/v1/incidents/${cartIncident.id}/resolve`, {}, bearer(ALICE))).status).toBe(200);
    (server.clock as ManualClock).advance(MIN);
    expect((await record({ service: 'cart', kind: 'deploy', summary: 'cart 10.0, after' })).status).toBe(201);
    const cart = (await server.request('GET', `/api/v1/incidents/${cartIncident.id}`, undefined, bearer(READER))).body;
    expect(cart.changesBefore.map((c: any) => c.summary)).toEqual(['cart 9.9, unrelated']);

    // An incident with no service: nothing to relate changes to.
    const noService = (await server.request('POST', '/api/v1/incidents', { title: 'something is off' }, bearer(ALICE))).body;
    expect(noService.changesBefore).toEqual([]);
    const noServiceDraft = (await server.request('GET', `/api/v1/incidents/${noService.id}/postmortem`, undefined, bearer(READER))).body as string;
    expect(noServiceDraft).toContain('## What changed\n\n- (no change on the record');
  });

  it('prodeng change record and change list (the built CLI)', async () => {
    const env = { PRODENG_URL: server.url, PRODENG_TOKEN: ALICE };
    const recorded = await prodeng(['change', 'record', '--service', 'checkout', '--summary', 'Enable HTTP/2 on the edge', '--version', '2.0.0', '--commit', 'ABCDEF1', '--link', 'https://ci.example.com/runs/7', '--by', 'mallory'], env);
    expect(recorded.stderr).toBe('');
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/^change \d+ recorded: checkout deploy 2\.0\.0 at 2026-11-20 12:00:00 by alice\n$/);
    const flag = await prodeng(['change', 'record', '--service', 'cart', '--kind', 'flag', '--summary', 'Dark mode for 5%', '--at', iso(T0 - 15 * MIN)], env);
    expect(flag.code).toBe(0);

    const all = await prodeng(['change', 'list'], env);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+AT\s+SERVICE\s+KIND\s+VERSION\s+WHO\s+SUMMARY$/);
    expect(lines[1]).toMatch(/2026-11-20 12:00:00\s+checkout\s+deploy\s+2\.0\.0\s+alice\s+Enable HTTP\/2 on the edge \(abcdef1\)$/);
    expect(lines[2]).toMatch(/2026-11-20 11:45:00\s+cart\s+flag\s+-\s+alice\s+Dark mode for 5%$/);

    const checkout = await prodeng(['change', 'list', '--service', 'checkout', '--json'], env);
    expect(JSON.parse(checkout.stdout).changes.map((c: any) => [c.service, c.version, c.commit, c.link])).toEqual([['checkout', '2.0.0', 'abcdef1', 'https://ci.example.com/runs/7']]);
    expect((await prodeng(['change', 'list', '--service', 'ledger'], env)).stdout).toBe('no changes\n');

    const typo = await prodeng(['change', 'record', '--service', 'chekout', '--summary', 'x'], env);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('did you mean "checkout"');
    const badKind = await prodeng(['change', 'record', '--service', 'checkout', '--kind', 'rollout', '--summary', 'x'], env);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toContain('kind: must be one of deploy, config, flag, other');
  });
});

describe.skipIf(!haveChromium)('changes on the record, in the console', () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the Incident page says what changed in the hour before, as text', async () => {
    server = await startServer('sqlite');
    await server.request('POST', '/api/v1/changes', { service: 'payments', kind: 'config', summary: 'timeout <b>2s</b> to 500ms', link: 'https://ci.example.com/runs/9' }, bearer(BOT));
    (server.clock as ManualClock).advance(12 * MIN);
    await server.request('POST', '/api/v1/incidents', { title: 'checkout errors', service: 'checkout' }, bearer(ALICE));
    const { page, errors } = await openConsole(browser, server.url);
    await page.getByLabel('API token').fill(READER);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in').waitFor();
    errors.length = 0; // the 401s that asked for the token are behind us
    await page.goto(`${server.url}/#/incidents/1`);
    await page.getByRole('heading', { name: 'Changed in the hour before' }).waitFor();
    const text = await page.getByTestId('incident-changes').innerText();
    expect(text).toContain('(12 min before) payments (a dependency: payments) config: timeout <b>2s</b> to 500ms — by deploy-bot · https://ci.example.com/runs/9');
    expect(await page.getByTestId('incident-changes').locator('a, b').count()).toBe(0);
    await page.getByTestId('incident-timeline').getByText('payments config: timeout <b>2s</b> to 500ms (checkout depends on payments)').waitFor();
    expect(errors).toEqual([]);
  }, 30_000);
});
