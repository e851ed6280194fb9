import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { insertHost } from '../src/fleet/hosts.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { smtpSinkForBlock } from './support/smtpSink.js';
import { ticketTeamConfig } from './support/ticketTeam.js';

// The pyramid measured from prodeng's own records: hosts in a pool with a
// probe, a schedule of two, an escalation policy; a check that breaks tells
// the team; an exemption excuses; a campaign counts; a day is kept.
const config = `${ticketTeamConfig}---
apiVersion: prodeng/v1
kind: Schedule
metadata: { name: shop-primary }
spec:
  team: shop
  timeZone: UTC
  layers: [{ name: weekly, rotation: { every: 1w }, start: "2026-01-05T09:00:00", participants: [alice, bob] }]
  shadows: [{ user: oncall, follows: { layer: weekly }, from: "2026-11-01T00:00:00", to: "2026-12-31T00:00:00" }]
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop, phase: bootstrap, system: shop }
---
apiVersion: prodeng/v1
kind: ScorecardExemption
metadata: { name: cart-no-slo }
spec: { service: checkout, check: reliability.slo, reason: "the SLO is being written this quarter", expires: 2026-12-31 }
---
apiVersion: prodeng/v1
kind: ScorecardCampaign
metadata: { name: probes-everywhere }
spec: { check: lifecycle.probe, team: shop, due: 2026-12-15, owner: alice, description: every host probed }
`;

describeEachStore('the scorecard: the service pyramid, measured from prodeng’s own records', (kind) => {
  const smtp = smtpSinkForBlock(beforeAll, afterAll);
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());

  const score = async (service: string) => (await server.request('GET', `/api/v1/scorecard/${service}`)).body;
  const check = (s: any, id: string) => s.checks.find((c: any) => c.id === id);

  it('grades each check with its fact, source and date, places cart at bronze, tells the team when a passing check fails, and keeps a day', async () => {
    smtp.messages().length = 0;
    clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    const db = server.store.db;
    for (const name of ['cart-1', 'cart-2']) {
      await insertHost(db, { name, pool: 'cart', service: 'cart', address: `127.0.0.1:1${name.slice(-1)}`, provider: 'local-process', state: 'in_service', reason: 'test', origin: 'pool' }, 'test', clock.now());
      await db.insertInto('probe_targets').values({ probe: 'health', host: name, firing: 0, consecutive_failures: 0, consecutive_successes: 3, last_at: clock.now(), next_at: clock.now() }).execute();
    }

    const cart = await score('cart');
    expect(cart).toMatchObject({ service: 'cart', team: 'shop', phase: 'bootstrap', expected: 1 });
    expect(check(cart, 'lifecycle.pool')).toMatchObject({ status: 'passed', fact: '2 hosts in pools, each with a provider', source: 'hosts', layer: 'lifecycle', level: 1 });
    expect(check(cart, 'lifecycle.probe')).toMatchObject({ status: 'passed', fact: 'all 2 hosts are probed' });
    expect(check(cart, 'oncall.schedule')).toMatchObject({ status: 'passed', fact: 'schedule shop-primary has 2 people' });
    expect(check(cart, 'oncall.escalation')).toMatchObject({ status: 'passed', fact: 'incidents escalate by shop-pages' });
    expect(check(cart, 'monitoring.alerts-automated')).toMatchObject({ status: 'passed', fact: 'no alerts in 30 days' });
    // never tried: the replace path and the drain fail at silver, so cart stops at bronze, which its phase expects
    expect(check(cart, 'lifecycle.replace-proven').status).toBe('failed');
    expect(cart).toMatchObject({ level: 1, levelName: 'bronze', behind: false });
    expect(new Date(check(cart, 'lifecycle.pool').measuredAt).toISOString()).toBe('2026-12-06T10:00:00.000Z');
    // "not measured" is never counted as passing
    expect(check(cart, 'reliability.canary')).toMatchObject({ status: 'not_measured', fact: "deployments are not on prodeng's record yet" });

    // checkout has no hosts: it fails bronze; its missing SLO is excused until the end of the year
    const checkout = await score('checkout');
    expect(checkout).toMatchObject({ level: 0, levelName: 'none' });
    expect(check(checkout, 'reliability.slo')).toMatchObject({ status: 'failed', exemption: { reason: 'the SLO is being written this quarter', expires: '2026-12-31' } });
    expect(checkout.counts.exempt).toBe(1);

    // The campaign: cart is probed, checkout has nothing to probe.
    const { campaigns } = (await server.request('GET', '/api/v1/scorecard/campaigns')).body;
    expect(campaigns).toEqual([expect.objectContaining({ name: 'probes-everywhere', check: 'lifecycle.probe', owner: 'alice', passing: 1, total: 2, daysLeft: 10, overdue: false })]);
    // ...and the team's digest says it is due
    const digest = (await server.request('GET', '/api/v1/reports/digest?team=shop')).body;
    expect(digest.upkeepDue).toEqual(['due in 10 day(s): campaign probes-everywhere (lifecycle.probe, owner alice): 1 of 2 services pass; left: checkout']);

    // The monitor's first pass records what passes; nobody is told of what never passed.
    await server.scorecardTick(clock.now());
    await server.paging.runOnce();
    expect(smtp.messages().filter((m) => /scorecard/.test(m.subject ?? ''))).toEqual([]);

    // A probe is removed: a passing check fails, and the team hears of it on the next pass (5 minutes later).
    await db.deleteFrom('probe_targets').where('host', '=', 'cart-2').execute();
    clock.advance(5 * 60_000);
    await server.scorecardTick(clock.now());
    await server.paging.runOnce();
    await server.paging.runOnce();
    for (const person of ['alice', 'bob']) expect(smtp.mailTo(person).map((m) => m.subject).filter((s) => /scorecard/.test(s ?? ''))).toEqual(['[prodeng] cart: a scorecard check started failing']);
    expect(smtp.messages().find((m) => /scorecard/.test(m.subject ?? ''))!.text).toContain('lifecycle.probe: 1 of 2 hosts have no probe');
    const after = await score('cart');
    expect(after).toMatchObject({ level: 0 });
    expect(after.notices.map((n: any) => n.detail).sort()).toEqual([expect.stringMatching(/^told alice of team shop by email/), expect.stringMatching(/^told bob of team shop by email/)]);
    // ...once: the next pass sees it still failing and says nothing more
    clock.advance(5 * 60_000);
    await server.scorecardTick(clock.now());
    await server.paging.runOnce();
    expect(smtp.messages().filter((m) => /scorecard/.test(m.subject ?? ''))).toHaveLength(2);

    // One snapshot a day, kept as the trend.
    clock.advance(24 * 3600_000);
    await server.scorecardTick(clock.now());
    expect(after.history).toEqual([{ day: '2026-12-06', level: 1, passed: expect.any(Number), failed: expect.any(Number), notMeasured: expect.any(Number) }]);
    expect((await score('cart')).history.map((h: any) => [h.day, h.level])).toEqual([
      ['2026-12-06', 1],
      ['2026-12-07', 0],
    ]);
  });

  it('names a bad filter, and lists the checks of the pyramid', async () => {
    clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    expect((await server.request('GET', '/api/v1/scorecard?team=nosuch')).status).toBe(404);
    expect((await server.request('GET', '/api/v1/scorecard?colour=red')).status).toBe(400);
    expect((await server.request('GET', '/api/v1/scorecard/nosuch')).status).toBe(404);
    const { layers, checks } = (await server.request('GET', '/api/v1/scorecard/checks')).body;
    expect(layers.map((l: any) => l.layer)).toEqual(['lifecycle', 'oncall', 'monitoring', 'reliability', 'performance', 'upkeep']);
    expect(checks.length).toBeGreaterThanOrEqual(20);
    const team = (await server.request('GET', '/api/v1/scorecard?team=shop')).body.services.map((s: any) => s.service).sort();
    expect(team).toEqual(['cart', 'checkout']);
    // A service's entry says what changed on it lately.
    expect((await server.request('POST', '/api/v1/changes', { service: 'cart', kind: 'deploy', version: '2', summary: 'cart 2: bigger carts' })).status).toBe(201);
    const entry = (await server.request('GET', '/api/v1/catalog/services/cart')).body;
    expect(entry.changes).toEqual([expect.objectContaining({ service: 'cart', kind: 'deploy', version: '2', summary: 'cart 2: bigger carts' })]);
    expect((await server.request('GET', '/api/v1/catalog/services/checkout')).body.changes).toEqual([]);
  });

  it('measures the upkeep of a service from its real git repository, keeps it, and grades it', async () => {
    clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
    // A repository whose TODOs went from 1 to 9 in the last month.
    const repo = mkdtempSync(join(tmpdir(), 'prodeng-upkeep-repo-'));
    const git = (args: string[], date?: string) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, env: { ...process.env, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) } });
    git(['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'cart.ts'), '// TODO: one thing\nexport const cart = 1;\n');
    git(['add', '.']);
    git(['commit', '-q', '-m', 'first'], '2026-09-01T10:00:00Z');
    writeFileSync(join(repo, 'cart.ts'), Array.from({ length: 9 }, (_, i) => `// TODO: thing ${i}\n`).join('') + 'export const cart = 1;\n');
    git(['commit', '-q', '-am', 'more'], '2026-12-01T10:00:00Z');
    server = await startTestServer(kind, { clock, configYaml: config.replace('spec: { owner: shop, phase: bootstrap, system: shop }', `spec: { owner: shop, phase: bootstrap, system: shop, repository: "${repo}" }`) });

    const { runs } = (await server.request('POST', '/api/v1/scorecard/upkeep', { service: 'cart' })).body;
    const todo = runs.find((r: any) => r.check === 'upkeep.todo-trend');
    expect(todo).toMatchObject({ service: 'cart', status: 'failed' });
    expect(todo.fact).toMatch(/9/);
    // no lockfile: not measured, and says so (no registry is asked)
    expect(runs.find((r: any) => r.check === 'upkeep.major-versions')).toMatchObject({ status: 'not_measured' });
    // no CI reports and no probe results yet: not measured, never passed
    expect(runs.find((r: any) => r.check === 'upkeep.flaky-tests').status).toBe('not_measured');
    const cart = await score('cart');
    expect(check(cart, 'upkeep.todo-trend')).toMatchObject({ status: 'failed', fact: todo.fact, source: todo.source });
    expect((await server.request('POST', '/api/v1/scorecard/upkeep', { service: 'nosuch' })).status).toBe(404);
  });
});
