import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unknownNameMessage } from '../src/cli/knownNames.js';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13: a name given as an option that names nothing was an empty list ("no hosts") and exit 0,
// and a missing incident's postmortem printed the server's JSON. Now both say so in words and exit 1.
const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

async function prodeng(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, PRODENG_URL: '', PRODENG_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const config = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
spec: { email: alice@example.com }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice, role: swe }] }
---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: shop-primary }
spec:
  team: shop
  timeZone: UTC
  layers:
    - name: weekly
      rotation: { every: 1w, handoff: "Mon 09:00" }
      start: "2026-01-05T09:00:00"
      participants: [alice]
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: Host
metadata: { name: cart-1 }
spec: { address: "127.0.0.1:9", service: cart }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-cart }
spec:
  match: { alertname: CartDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: drain-cart }
spec:
  match: { alertname: CartSlow }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
`;

it('words an unknown name with the likely one and the known ones', () => {
  expect(unknownNameMessage('team', 'infrs', ['web', 'infra'])).toBe('no team "infrs"; did you mean "infra"? known: infra, web');
  expect(unknownNameMessage('pool', 'zzz', ['web', 'api'])).toBe('no pool "zzz"; known: api, web');
  expect(unknownNameMessage('pool', 'web', [])).toBe('no pool "web"; there are none');
});

describeEachStore('the CLI refuses names that name nothing', (kind) => {
  let server: TestServer;
  let url: string[];
  beforeAll(async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.now()), configYaml: config });
    url = ['--url', server.url];
    expect((await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'CartDown', instance: 'cart-1', service: 'cart' } }])).status).toBe(200);
  });
  afterAll(async () => server?.stop());

  it.each([
    [['hosts', 'list', '--state', 'in-service'], 'no host state "in-service"; did you mean "in_service"? known: decommissioned, draining, in_service, out_of_service, provisioning, repairing'],
    [['hosts', 'list', '--pool', 'nosuch'], 'no pool "nosuch"; there are none'],
    [['hosts', 'list', '--service', 'crat'], 'no service "crat"; did you mean "cart"? known: cart'],
    [['remediation', 'list', '--runbook', 'restart-crat'], 'no runbook "restart-crat"; did you mean "restart-cart"? known: drain-cart, restart-cart'],
    [['remediation', 'list', '--service', 'nosuch'], 'no service "nosuch"; known: cart'],
    [['report', 'pareto', '--service', 'crt'], 'no service "crt"; did you mean "cart"? known: cart'],
    [['silence', 'list', '--state', 'actve'], 'no silence state "actve"; did you mean "active"? known: active, expired, pending'],
    [['oncall', '--team', 'shp'], 'no team with a schedule "shp"; did you mean "shop"? known: shop'],
    [['oncall', '--schedule', 'shop-primray'], 'no schedule "shop-primray"; did you mean "shop-primary"? known: shop-primary'],
    [['incidents', 'postmortem', '42'], 'GET /api/v1/incidents/42/postmortem: no incident 42'],
  ])('%j is an error in words and exits 1', async (args, message) => {
    const res = await prodeng([...args, ...url]);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`prodeng: ${message}\n`);
    expect(res.code).toBe(1);
  });

  it('still lists what known names find, and says "no …" for a known name with nothing in it', async () => {
    expect((await prodeng(['hosts', 'list', '--service', 'cart', ...url])).stdout).toMatch(/cart-1\s+in_service\s+cart/);
    expect(await prodeng(['hosts', 'list', '--state', 'draining', ...url])).toMatchObject({ code: 0, stdout: 'no hosts\n' });
    expect((await prodeng(['remediation', 'list', '--runbook', 'restart-cart', ...url])).stdout).toMatch(/pending\s+restart-cart\s+cart-1/);
    expect(await prodeng(['remediation', 'list', '--runbook', 'restart-cart', '--status', 'failed', ...url])).toMatchObject({ code: 0, stdout: 'no remediations\n' });
    expect((await prodeng(['runbooks', 'list', ...url])).stdout).toMatch(/drain-cart\s+-\s+acts\s+exec\s+\S+:\d+\n/);
    // configured, never run: a quiet runbook, not a typo
    expect(await prodeng(['remediation', 'list', '--runbook', 'drain-cart', ...url])).toMatchObject({ code: 0, stdout: 'no remediations\n' });
    expect(await prodeng(['report', 'pareto', '--service', 'cart', '--since', '1m', '--until', '30s', ...url])).toMatchObject({ code: 0 });
    expect(await prodeng(['silence', 'list', '--state', 'active', ...url])).toMatchObject({ code: 0, stdout: 'no silences\n' });
    expect((await prodeng(['oncall', '--team', 'shop', ...url])).stdout).toMatch(/shop-primary\s+shop\s+alice/);
  });
});
