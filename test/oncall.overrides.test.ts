import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { oncallCommand } from '../src/cli/oncallCommand.js';
import { startServer, type RunningServer } from '../src/server.js';
import { ManualClock } from '../src/store/clock.js';
import { createTestDatabase, describeEachStore, postgresUrl, type TestDatabase } from './support/testDatabases.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { startTestServer, writeConfigDir, type TestServer } from './support/testServer.js';

const user = (name: string) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${name} }\nspec: { email: ${name}@example.com, timeZone: Europe/Berlin }\n`;

// Bob is on call the week from Mon 2026-11-09 09:00 Berlin (08:00 UTC); carol covers alice on the 20th in config.
const config = [
  ...['alice', 'bob', 'carol'].map(user),
  `apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: { members: [{ user: alice, role: swe }, { user: bob, role: pe }], escalationPolicy: payments-pages }
`,
  `apiVersion: prodeng/v1
kind: Service
metadata: { name: payments-api }
spec: { owner: payments }
`,
  `apiVersion: prodeng/v1
kind: Schedule
metadata: { name: payments-primary }
spec:
  team: payments
  timeZone: Europe/Berlin
  layers: [{ name: weekly, rotation: { every: 1w, handoff: "Mon 09:00" }, start: "2026-11-02T09:00:00", participants: [alice, bob] }]
  overrides: [{ user: carol, replaces: alice, from: "2026-11-20T00:00:00", to: "2026-11-21T00:00:00" }]
`,
  `apiVersion: prodeng/v1
kind: EscalationPolicy
metadata: { name: payments-pages }
spec:
  steps: [{ delay: 5m, targets: [{ schedule: payments-primary }] }]
`,
].join('---\n');

const NOW = Date.parse('2026-11-10T12:00:00Z');
const OVERRIDES = '/api/v1/schedules/payments-primary/overrides';
const carolForBob = { user: 'carol', replaces: 'bob', from: '2026-11-11T00:00:00+01:00', to: '2026-11-12T00:00:00+01:00', reason: 'bob is at a wedding', by: 'alice' };

const onCall = async (server: TestServer, at: string) =>
  ((await server.request('GET', `/api/v1/oncall?schedule=payments-primary&at=${encodeURIComponent(at)}`)).body.oncall as any[]).map((e) => `${e.user} ${e.layer ?? 'override'}`);
const shifts = async (server: TestServer) =>
  (await server.request('GET', '/api/v1/schedules/payments-primary/shifts?from=2026-11-09T00:00:00Z&to=2026-11-17T00:00:00Z')).body.shifts as any[];

describeEachStore('on-call overrides added at run time', (kind) => {
  let server: TestServer;
  afterEach(async () => server?.stop());

  it('puts the override user on call instead of the replaced one, in lookups, shifts, feeds and lists, until cancelled', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(NOW), configYaml: config });
    expect(await onCall(server, '2026-11-11T12:00:00Z')).toEqual(['bob weekly']);

    const created = await server.request('POST', OVERRIDES, carolForBob);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), source: 'api', schedule: 'payments-primary', user: 'carol', replaces: 'bob', from: '2026-11-10T23:00:00.000Z', to: '2026-11-11T23:00:00.000Z', createdBy: 'alice', reason: 'bob is at a wedding', cancelledAt: null });
    const id = created.body.id;

    expect(await onCall(server, '2026-11-11T12:00:00Z')).toEqual(['carol override']);
    expect(await onCall(server, '2026-11-11T23:00:00Z')).toEqual(['bob weekly']);
    expect((await shifts(server)).map((s) => [s.start, s.users.join(), s.layer, s.overrides])).toEqual([
      ['2026-11-09T00:00:00.000Z', 'alice', 'weekly', []],
      ['2026-11-09T08:00:00.000Z', 'bob', 'weekly', []],
      ['2026-11-10T23:00:00.000Z', 'carol', null, [{ id, source: 'api', user: 'carol', replaces: 'bob' }]],
      ['2026-11-11T23:00:00.000Z', 'bob', 'weekly', []],
      ['2026-11-16T08:00:00.000Z', 'alice', 'weekly', []],
    ]);
    const carols = (await server.request('GET', '/api/v1/users/carol/oncall')).body.shifts;
    expect(carols[0]).toMatchObject({ schedule: 'payments-primary', start: '2026-11-10T23:00:00.000Z', end: '2026-11-11T23:00:00.000Z' });
    const feed = (await (await fetch(`${server.url}/api/v1/schedules/payments-primary/calendar.ics`)).text()).replace(/\r\n[ \t]/g, '');
    expect(feed).toContain('SUMMARY:On call: carol');
    expect(feed).toContain('Override: carol covers for bob');

    const listed = (await server.request('GET', `${OVERRIDES}?from=2026-11-01T00:00:00Z`)).body;
    expect(listed.overrides.map((o: any) => [o.source, o.id, o.user, o.replaces, o.from, o.to])).toEqual([
      ['api', id, 'carol', 'bob', '2026-11-10T23:00:00.000Z', '2026-11-11T23:00:00.000Z'],
      ['config', null, 'carol', 'alice', '2026-11-19T23:00:00.000Z', '2026-11-20T23:00:00.000Z'],
    ]);

    expect((await server.request('DELETE', `${OVERRIDES}/${id}?by=bob`)).status).toBe(204);
    const again = await server.request('DELETE', `${OVERRIDES}/${id}`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_cancelled', message: expect.stringContaining('already cancelled by bob') });
    expect((await server.request('DELETE', `${OVERRIDES}/99999`)).status).toBe(404);
    expect((await server.request('DELETE', `/api/v1/schedules/nope/overrides/${id}`)).status).toBe(404);
    expect(await onCall(server, '2026-11-11T12:00:00Z')).toEqual(['bob weekly']);
    expect((await shifts(server)).map((s) => s.users.join())).toEqual(['alice', 'bob', 'alice']);
    expect((await server.request('GET', OVERRIDES)).body.overrides.map((o: any) => o.source)).toEqual(['config']);
  });

  it('refuses a bad override with 400 naming the field, and an unknown schedule with 404', async () => {
    server = await startTestServer(kind, { clock: new ManualClock(NOW), configYaml: config });
    const refusal = async (body: Record<string, unknown>) => {
      const res = await server.request('POST', OVERRIDES, body);
      expect(res.status).toBe(400);
      return `${res.body.error.fields[0].field}: ${res.body.error.fields[0].message}`;
    };
    expect(await refusal({ ...carolForBob, user: 'carl' })).toBe('user: no User named "carl" in the config (did you mean "carol"?)');
    expect(await refusal({ ...carolForBob, replaces: 'bobb' })).toBe('replaces: no User named "bobb" in the config (did you mean "bob"?)');
    expect(await refusal({ ...carolForBob, user: undefined })).toMatch(/^user: /);
    expect(await refusal({ ...carolForBob, replaces: 'carol' })).toBe('replaces: must be someone other than user');
    expect(await refusal({ ...carolForBob, from: '2026-11-11T00:00:00' })).toMatch(/^from: must be an ISO 8601 time with a zone/);
    expect(await refusal({ ...carolForBob, to: '2026-11-10T00:00:00+01:00' })).toMatch(/^to: must be after from/);
    expect(await refusal({ ...carolForBob, to: '2027-12-01T00:00:00Z' })).toMatch(/^to: at most 366 days after from/);
    expect(await refusal({ ...carolForBob, from: '2026-11-01T00:00:00Z', to: '2026-11-10T11:00:00Z' })).toMatch(/^to: must be in the future/);
    expect(await refusal({ ...carolForBob, shift: 'night' })).toMatch(/^shift: /);
    const missing = await server.request('POST', '/api/v1/schedules/payments-primari/overrides', carolForBob);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('no schedule named payments-primari (did you mean "payments-primary"?)');
    expect((await server.request('GET', '/api/v1/schedules/payments-primary/overrides?from=soon')).status).toBe(400);
  });
});

describe.skipIf(!postgresUrl)('on-call overrides across replicas on one PostgreSQL database [postgres]', () => {
  let db: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await db?.cleanup();
  });

  it("a replica answers with another replica's override once its short cache has aged, and the same for a cancel", async () => {
    db = await createTestDatabase('postgres');
    const clock = new ManualClock(NOW);
    const configDir = writeConfigDir(config);
    for (let i = 0; i < 2; i++) servers.push(await startServer({ ...db.options, configDir, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock, logger: pino({ level: 'silent' }) }));
    const [a, b] = servers as [RunningServer, RunningServer];
    const who = async (s: RunningServer) => ((await (await fetch(`${s.url}/api/v1/oncall?schedule=payments-primary&at=2026-11-11T12:00:00Z`)).json()) as any).oncall.map((e: any) => e.user);
    expect(await who(b)).toEqual(['bob']);
    const created = await fetch(`${a.url}${OVERRIDES}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(carolForBob) });
    expect(created.status).toBe(201);
    expect(await who(a)).toEqual(['carol']);
    // b cached the overrides a moment ago; within 2 s it has them too.
    expect(await who(b)).toEqual(['bob']);
    clock.advance(2_000);
    expect(await who(b)).toEqual(['carol']);

    const { id } = (await created.json()) as { id: number };
    expect((await fetch(`${b.url}${OVERRIDES}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await who(b)).toEqual(['bob']);
    clock.advance(2_000);
    expect(await who(a)).toEqual(['bob']);
  });
});

describeEachStore('paging follows on-call overrides', (kind) => {
  let smtp: SmtpSink;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    process.env.PRODENG_SMTP_URL = smtp.url;
    process.env.PRODENG_SMTP_FROM = 'prodeng@example.com';
  });
  afterAll(async () => {
    delete process.env.PRODENG_SMTP_URL;
    await smtp?.stop();
  });
  afterEach(async () => server?.stop());

  it('pages the override user, not the person they cover for', async () => {
    smtp.messages.length = 0;
    server = await startTestServer(kind, { clock: new ManualClock(NOW), configYaml: config });
    // Bob is on call now (12:00 UTC on the 10th); carol takes over for the afternoon.
    const created = await server.request('POST', OVERRIDES, { user: 'carol', replaces: 'bob', from: '2026-11-10T11:00:00Z', to: '2026-11-10T18:00:00Z' });
    expect(created.status).toBe(201);
    const opened = await server.request('POST', '/api/v1/incidents', { title: 'payments API answers 502', service: 'payments-api', by: 'dana' });
    expect(opened.status).toBe(201);
    await server.paging.runOnce(); // the step: who to page
    await server.paging.runOnce(); // the email
    const to = smtp.messages.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '?'));
    expect(to).toEqual(['carol@example.com']);
    const timeline = (await server.request('GET', `/api/v1/incidents/${opened.body.id}`)).body.timeline.map((t: any) => t.message);
    expect(timeline).toContain('step 1 of 1: paging carol (on call in payments-primary)');
  }, 30_000);
});

describe('prodeng oncall override (CLI)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { clock: new ManualClock(NOW), configYaml: config });
  });
  afterAll(async () => server?.stop());

  const prodeng = async (...args: string[]) => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    try {
      await oncallCommand().parseAsync([...args, '--url', server.url], { from: 'user' });
    } finally {
      log.mockRestore();
    }
    return lines.join('\n');
  };

  it('adds, lists and cancels an override through the API', async () => {
    const added = await prodeng('override', 'add', '--schedule', 'payments-primary', '--user', 'carol', '--replaces', 'bob', '--from', carolForBob.from, '--to', carolForBob.to, '--reason', 'wedding', '--by', 'alice');
    const id = /^override (\d+): carol on call in payments-primary instead of bob from 2026-11-10T23:00:00.000Z to 2026-11-11T23:00:00.000Z$/.exec(added)?.[1];
    expect(id).toBeDefined();
    const listed = await prodeng('override', 'list', '--schedule', 'payments-primary');
    expect(listed).toMatch(new RegExp(`^${id}\\s+2026-11-10 23:00\\s+2026-11-11 23:00\\s+carol\\s+bob\\s+alice\\s+wedding$`, 'm'));
    expect(listed).toMatch(/^config\s+2026-11-19 23:00\s+2026-11-20 23:00\s+carol\s+alice\s+-/m);
    expect(await prodeng('override', 'cancel', id!, '--schedule', 'payments-primary', '--by', 'bob')).toBe(`override ${id} cancelled`);
    await expect(prodeng('override', 'cancel', id!, '--schedule', 'payments-primary')).rejects.toThrow(/already cancelled by bob/);
    // Without a subcommand, oncall still answers who is on call, with its own --schedule.
    expect(await prodeng('--schedule', 'payments-primary', '--at', '2026-11-11T12:00:00Z')).toMatch(/payments-primary\s+payments\s+bob\s+on call \(weekly\)/);
  });
});
