import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { labConfigDir } from '../src/lab/labRunner.js';
import { ManualClock, systemClock } from '../src/store/clock.js';
import { createTestDatabase, describeEachStore, postgresUrl, type TestDatabase } from './support/testDatabases.js';
import { startTestServer, writeConfigDir, type TestServer } from './support/testServer.js';
import { shopTeam } from './support/shopTeam.js';
import { waitFor } from './support/peers.js';

// A GameDay runs its experiments on its schedule, server-side, read on the
// test clock: once at its slot, a missed slot once when the server is back
// within the hour, and never twice for one slot across replicas.

const experiment = (name: string) => `apiVersion: prodeng/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  title: ${name}
  extensions: [{ name: prodeng, service: web }]
  configuration: { web: { type: env, key: WEB_URL } }
  steady-state-hypothesis:
    title: web answers 200
    probes: [{ type: probe, name: web-answers, tolerance: 200, provider: { type: http, url: "\${web}/", timeout: 3 } }]
  method: [{ type: probe, name: web-page, provider: { type: http, url: "\${web}/", timeout: 3 } }]
`;

const gameDay = `apiVersion: prodeng/v1
kind: GameDay
metadata: { name: weekly }
spec:
  description: web proves itself every Wednesday
  schedule: "0 14 * * WED"
  timeZone: Europe/London
  experiments: [web-first, web-second]
`;
const configYaml = [shopTeam(['web', { job: 'web' }]), experiment('web-first'), experiment('web-second'), gameDay].join('---\n');
// Wednesday 9 December 2026, 14:00 in London (UTC in winter)
const slot = Date.parse('2026-12-09T14:00:00Z');
const week = 7 * 24 * 3600_000;

let receiver: Server;
let webUrl = '';
beforeEach(async () => {
  receiver = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterEach(() => new Promise((r) => receiver.close(r)));

const gameDayRuns = async (s: { request: TestServer['request'] }) => ((await s.request('GET', '/api/v1/chaos/runs')).body.runs as any[]).reverse();

describeEachStore('game days', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(slot - 60_000);
    server = await startTestServer(kind, { configYaml, clock, env: { ...process.env, WEB_URL: webUrl } });
  });
  afterEach(() => server.stop());
  const pass = async () => {
    await server.maintenance.runOnce();
    await server.chaos.gameDaySequences();
  };

  it('runs its experiments in order at its slot, once; a missed slot once within the hour; not after', async () => {
    await pass();
    expect(await gameDayRuns(server)).toEqual([]);
    const listed = (await server.request('GET', '/api/v1/chaos/game-days')).body.gameDays;
    expect(listed).toEqual([{ name: 'weekly', description: 'web proves itself every Wednesday', schedule: '0 14 * * WED', timeZone: 'Europe/London', enabled: true, experiments: ['web-first', 'web-second'], nextSlot: '2026-12-09T14:00:00.000Z', lastRuns: [] }]);

    clock.set(slot + 5_000);
    await pass();
    clock.advance(10 * 60_000);
    await pass();
    const runs = await gameDayRuns(server);
    expect(runs.map((r) => [r.title, r.status, r.startedBy])).toEqual([
      ['web-first', 'completed', 'game day weekly'],
      ['web-second', 'completed', 'game day weekly'],
    ]);
    const detail = (await server.request('GET', `/api/v1/chaos/runs/${runs[0].id}`)).body;
    expect(detail.journal.steady_states.before.steady_state_met).toBe(true);
    const after = (await server.request('GET', '/api/v1/chaos/game-days')).body.gameDays[0];
    expect(after.nextSlot).toBe('2026-12-16T14:00:00.000Z');
    expect(after.lastRuns.map((r: any) => [r.experiment, r.gameDay, r.status])).toEqual([
      ['web-second', 'weekly', 'completed'],
      ['web-first', 'weekly', 'completed'],
    ]);
    const md = (await server.request('GET', `/api/v1/chaos/runs/${runs[0].id}/report`)).body as string;
    expect(md).toContain('| game day | weekly |');

    // Down over the 16th's slot and back 40 minutes after the 23rd's: the 23rd's runs once, the 16th's never.
    clock.set(slot + 2 * week + 40 * 60_000);
    await pass();
    await pass();
    expect((await gameDayRuns(server)).length).toBe(4);
    // Back an hour and a half after a slot: too late, it waits for the next.
    clock.set(slot + 3 * week + 90 * 60_000);
    await pass();
    expect((await gameDayRuns(server)).length).toBe(4);
  });

  it('a slot an open incident blocks is recorded as refused and not retried', async () => {
    expect((await server.request('POST', '/api/v1/incidents', { title: 'web down', service: 'web' })).status).toBe(201);
    clock.set(slot + 1_000);
    await pass();
    clock.advance(60_000);
    await pass();
    expect((await gameDayRuns(server)).map((r) => [r.title, r.status])).toEqual([
      ['web-first', 'refused'],
      ['web-second', 'refused'],
    ]);
  });
});

describe.skipIf(!postgresUrl)('a game day slot on two replicas of one PostgreSQL [postgres]', () => {
  let db: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await db?.cleanup();
  });

  it('runs once, whichever replicas fire it at the same moment', async () => {
    db = await createTestDatabase('postgres');
    const clock = new ManualClock(slot + 2_000);
    const configDir = writeConfigDir(configYaml);
    for (let i = 0; i < 2; i++) servers.push(await startServer({ ...db.options, configDir, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock, env: { ...process.env, WEB_URL: webUrl }, logger: pino({ level: 'silent' }) }));
    // Both fire the task at once (as two leaders would across a lease handover), several times.
    for (let round = 0; round < 3; round++) await Promise.all(servers.flatMap((s) => Array.from({ length: 8 }, () => s.chaos.gameDayTick(clock.now()))));
    await Promise.all(servers.map((s) => s.maintenance.runOnce()));
    await Promise.all(servers.map((s) => s.chaos.gameDaySequences()));
    const runs = ((await (await fetch(`${servers[0]!.url}/api/v1/chaos/runs`)).json()) as any).runs as any[];
    expect(runs.map((r) => r.title).sort()).toEqual(['web-first', 'web-second']);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
  });
});

describe('the lab example (examples/lab/gameday.yaml) against the lab [sqlite]', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.stop());

  it('blackholes frontend -> ad, the page still answers 200 without the ad box, and the edge is unblocked', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    server = await startTestServer('sqlite', { clock: systemClock, maintenanceIntervalMs: 500, configDir: labConfigDir(), env });
    await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 60_000);
    const [frontend] = (await server.request('GET', '/api/v1/services/frontend/endpoints')).body.endpoints;
    // No address given: the server sets PRODENG_SERVICE_FRONTEND_URL from discovery when the run starts.
    const page = `http://${frontend.address}/`;
    await waitFor('the page with its ad box', async () => (await (await fetch(page)).text()).includes('id="ad"'), 20_000);
    const started = await server.request('POST', '/api/v1/chaos/experiments/ad-is-not-critical-for-the-page/runs', {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await waitFor('the run to end', async () => {
      const r = (await server!.request('GET', `/api/v1/chaos/runs/${started.body.id}`)).body;
      return r.status !== 'running' && r;
    }, 60_000);
    expect(run.status, JSON.stringify(run.journal, null, 1).slice(0, 3000)).toBe('completed');
    expect(run.journal.run.map((r: any) => [r.activity.name, r.status, r.tolerance_met])).toEqual([
      ['blackhole-frontend-to-ad', 'succeeded', undefined],
      ['page-without-the-ad-box', 'succeeded', undefined],
    ]);
    // the page while the edge was blackholed: 200, without the ad box
    expect(run.journal.run[1].output.status).toBe(200);
    expect(run.journal.run[1].output.body).toContain('<html');
    expect(run.journal.run[1].output.body).not.toContain('id="ad"');
    expect(run.faults).toEqual([expect.objectContaining({ kind: 'edge', revertedBy: 'rollback' })]);
    await waitFor('the ad box back', async () => (await (await fetch(page)).text()).includes('id="ad"'), 20_000);
  }, 150_000);
});
