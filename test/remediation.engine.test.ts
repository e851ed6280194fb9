import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const dir = mkdtempSync(join(tmpdir(), 'prodeng-remediation-'));

function runbook(name: string, spec: string): string {
  return `---\napiVersion: prodeng/v1\nkind: Runbook\nmetadata: { name: ${name} }\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

const config = [
  runbook(
    'restart-web',
    `match: { alertname: WebDown }
target: "{{ labels.instance }}"
manualMinutes: 15
steps:
  - name: restart
    action: exec
    with: { argv: ["touch", "{{ annotations.marker }}"], timeout: 5s }
verify: { alertResolvedWithin: 2m }
onFailure: [{ action: escalate }]`,
  ),
  runbook(
    'ladder',
    `match: { alertname: DiskFull }
target: "{{ labels.instance }}"
steps: [{ name: cleanup, action: exec, with: { argv: ["false"] } }]
verify: { alertResolvedWithin: 1m }
onFailure:
  - { name: bigger-hammer, action: exec, with: { argv: ["touch", "{{ annotations.marker }}"] } }
  - { action: escalate }`,
  ),
  runbook(
    'rehearse',
    `match: { alertname: CacheDown }
target: "{{ labels.instance }}"
steps: [{ action: exec, with: { argv: ["touch", "{{ annotations.marker }}"] } }]
safety: { dryRun: true }`,
  ),
  runbook(
    'echo',
    `match: { alertname: Echo }
target: "{{ labels.instance }}"
steps: [{ action: exec, with: { argv: ["printf", "%s", "{{ labels.instance }}"] } }]`,
  ),
  runbook(
    'careful',
    `match: { alertname: Careful }
target: "{{ labels.instance }}"
steps: [{ action: exec, with: { argv: ["touch", "{{ annotations.marker }}"] } }]
safety: { requireApproval: true, approvalTimeout: 30m }`,
  ),
].join('');

describeEachStore('remediation engine', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());

  async function start() {
    clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
  }
  const fire = (labels: Record<string, string>, annotations: Record<string, string> = {}, endsAt?: string) =>
    server.request('POST', '/api/v2/alerts', [{ labels, annotations, ...(endsAt ? { endsAt } : {}) }]);
  const remediations = async () => (await server.request('GET', '/api/v1/remediations')).body.remediations as any[];
  const detail = async (id: number) => (await server.request('GET', `/api/v1/remediations/${id}`)).body;

  it('restarts, verifies by the alert resolving, and tells the story', async () => {
    await start();
    const marker = join(dir, `${kind}-restarted`);
    await fire({ alertname: 'WebDown', instance: 'web-1' }, { marker });
    let [r] = await remediations();
    expect(r).toMatchObject({ runbook: 'restart-web', target: 'web-1', status: 'pending', manualMinutes: 15 });
    await server.remediation.runOnce();
    expect(existsSync(marker)).toBe(true);
    [r] = await remediations();
    expect(r.status).toBe('verifying');
    clock.advance(30_000);
    await fire({ alertname: 'WebDown', instance: 'web-1' }, { marker }, '2026-11-22T10:00:20Z');
    await server.remediation.runOnce();
    const d = await detail(r.id);
    expect(d.status).toBe('succeeded');
    expect(d.timeline.map((t: any) => t.kind)).toEqual(['matched', 'started', 'step.started', 'step.finished', 'verifying', 'verified']);
    expect(d.timeline[3].data.output.exitCode).toBe(0);
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toContain('prodeng_remediations_total{runbook="restart-web",outcome="succeeded"} 1');
    expect(metrics).toContain('prodeng_human_minutes_saved_total{runbook="restart-web"} 15');
    expect(metrics).toContain('prodeng_remediation_first_action_seconds_count{runbook="restart-web"} 1');
    expect(metrics).toContain('prodeng_remediation_time_to_fix_seconds_sum{runbook="restart-web"} 30');
    expect(metrics).toContain('prodeng_remediation_fixed_without_human_ratio 1');
  });

  it('climbs the onFailure ladder, verifying each rung, then hands over to a human', async () => {
    await start();
    const marker = join(dir, `${kind}-hammer`);
    await fire({ alertname: 'DiskFull', instance: 'db-1' }, { marker });
    await server.remediation.runOnce();
    expect(existsSync(marker)).toBe(true); // rung 1 ran after the first step failed
    let [r] = await remediations();
    expect(r).toMatchObject({ status: 'verifying', rung: 1 });
    clock.advance(61_000);
    await server.remediation.runOnce();
    [r] = await remediations();
    expect(r.status).toBe('escalated');
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'open', remediationId: r.id });
    expect(incidents[0].story.join('\n')).toContain('cleanup: false exited with 1');
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toContain('prodeng_remediation_fixed_without_human_ratio 0');
  });

  it('records what a dry run would do and does nothing', async () => {
    await start();
    const marker = join(dir, `${kind}-dry`);
    await fire({ alertname: 'CacheDown', instance: 'cache-1' }, { marker });
    await server.remediation.runOnce();
    const [r] = await remediations();
    expect(r.status).toBe('skipped');
    expect(r.reason).toContain('dry run');
    const d = await detail(r.id);
    expect(d.timeline.find((t: any) => t.kind === 'dry-run').message).toBe(`would run: exec "touch" ${JSON.stringify(marker)}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('acts on nothing while automation is paused and says why; on resume acts on what still fires, through every gate, and not on what cleared', async () => {
    await start();
    const paused = await server.request('POST', '/api/v1/automation/pause', { by: 'alice', reason: 'incident 42 under way' });
    expect(paused.body.paused).toBe(true);
    const marker = join(dir, `${kind}-paused`);
    const cleared = join(dir, `${kind}-paused-cleared`);
    await fire({ alertname: 'WebDown', instance: 'web-2' }, { marker });
    await fire({ alertname: 'WebDown', instance: 'web-3' }, { marker: cleared });
    await server.remediation.runOnce();
    clock.advance(60_000);
    await server.remediation.runOnce();
    const waiting = await remediations();
    expect(waiting.map((r: any) => [r.status, r.reason])).toEqual([
      ['pending', 'waiting: automation is paused (by alice: incident 42 under way)'],
      ['pending', 'waiting: automation is paused (by alice: incident 42 under way)'],
    ]);
    expect(existsSync(marker)).toBe(false);
    // One of them clears while paused.
    await fire({ alertname: 'WebDown', instance: 'web-3' }, { marker: cleared }, new Date(clock.now() - 1000).toISOString());
    expect((await server.request('POST', '/api/v1/automation/resume', { by: 'alice', reason: 'over' })).body.paused).toBe(false);
    await server.remediation.runOnce();
    const after = await remediations();
    expect(after.find((r: any) => r.target === 'web-2').status).toMatch(/^(succeeded|verifying)$/);
    expect(after.find((r: any) => r.target === 'web-3')).toMatchObject({ status: 'skipped' });
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(cleared)).toBe(false);
    const d = await detail(after.find((r: any) => r.target === 'web-2').id);
    expect(d.timeline.filter((t: any) => /automation is paused/.test(t.message))).toHaveLength(1);
  });

  it('refuses an empty target, attaches repeated alerts, and never starts on a resolved alert', async () => {
    await start();
    await fire({ alertname: 'WebDown' });
    let list = await remediations();
    // refused, and a human is told
    expect(list[0]).toMatchObject({ status: 'escalated', target: '' });
    expect(list[0].reason).toContain('rendered empty');
    expect(list[0].reason).toMatch(/handed to a human \(incident \d+\)$/);

    await fire({ alertname: 'WebDown', instance: 'web-3', path: '/a' }, { marker: join(dir, 'never-a') });
    await fire({ alertname: 'WebDown', instance: 'web-3', path: '/b' }, { marker: join(dir, 'never-b') });
    list = await remediations();
    const active = list.filter((r: any) => r.target === 'web-3');
    expect(active).toHaveLength(1);
    expect(active[0].alertIds).toHaveLength(2);

    await fire({ alertname: 'WebDown', instance: 'web-3', path: '/a' }, {}, '2026-11-22T09:59:00Z');
    await server.remediation.runOnce();
    const d = await detail(active[0].id);
    expect(d.status).toBe('skipped');
    expect(d.reason).toMatch(/^not started: alert \d+ is resolved$/);
    expect(existsSync(join(dir, 'never-a'))).toBe(false);
  });

  it('after an interruption before the first step, looks again: a resolved alert is not acted on', async () => {
    await start();
    const marker = join(dir, `${kind}-resumed`);
    await fire({ alertname: 'WebDown', instance: 'web-9' }, { marker });
    const [r] = await remediations();
    // What a process killed between reserving the slot and the first step
    // leaves behind: the remediation running, its work item leased to the
    // dead process until the lease runs out.
    await server.store.db.updateTable('remediations').set({ status: 'running', started_at: clock.now() }).where('id', '=', r.id).execute();
    await server.store.db.updateTable('work').set({ status: 'leased', lease_owner: 'dead-process', lease_expires_at: clock.now() + 60_000 }).where('kind', '=', 'remediation.run').execute();
    await fire({ alertname: 'WebDown', instance: 'web-9' }, { marker }, '2026-11-22T09:59:00Z');
    clock.advance(61_000);
    await server.remediation.runOnce();
    const d = await detail(r.id);
    expect(d.status).toBe('skipped');
    expect(d.reason).toMatch(/^not started: alert \d+ is resolved \(found on resuming after an interruption\)$/);
    expect(existsSync(marker)).toBe(false);
  });

  it('passes a hostile label to the command as one inert argument', async () => {
    await start();
    const pwned = join(dir, `${kind}-pwned`);
    const hostile = `x; touch ${pwned}; $(touch ${pwned})`;
    await fire({ alertname: 'Echo', instance: hostile });
    await server.remediation.runOnce();
    const [r] = await remediations();
    expect(r.status).toBe('succeeded');
    const d = await detail(r.id);
    expect(d.timeline.find((t: any) => t.kind === 'step.finished').data.output.stdout).toBe(hostile);
    expect(existsSync(pwned)).toBe(false);
  });

  it('waits for approval, then acts; a rejection or no answer in time acts on nothing', async () => {
    await start();
    const marker = (n: string) => join(dir, `${kind}-careful-${n}`);
    await fire({ alertname: 'Careful', instance: 'a' }, { marker: marker('a') });
    await fire({ alertname: 'Careful', instance: 'b' }, { marker: marker('b') });
    await fire({ alertname: 'Careful', instance: 'c' }, { marker: marker('c') });
    await server.remediation.runOnce();
    const list = await remediations();
    expect(list.map((r: any) => r.status)).toEqual(['awaiting_approval', 'awaiting_approval', 'awaiting_approval']);
    const id = (t: string) => list.find((r: any) => r.target === t).id;

    const approved = await server.request('POST', `/api/v1/remediations/${id('a')}/approve`, { by: 'carol', reason: 'looked at the graphs' });
    expect(approved.body).toMatchObject({ status: 'pending', reason: 'approved by carol: looked at the graphs' });
    const rejected = await server.request('POST', `/api/v1/remediations/${id('b')}/reject`, { by: 'dave', reason: 'the database is mid-failover' });
    expect(rejected.body).toMatchObject({ status: 'skipped', reason: 'approval rejected by dave: the database is mid-failover' });
    const again = await server.request('POST', `/api/v1/remediations/${id('b')}/approve`, { by: 'eve', reason: 'oops' });
    expect(again.status).toBe(409);
    const noReason = await server.request('POST', `/api/v1/remediations/${id('c')}/approve`, { by: 'eve' });
    expect(noReason.status).toBe(400);

    await server.remediation.runOnce();
    expect(existsSync(marker('a'))).toBe(true);
    expect(existsSync(marker('b'))).toBe(false);
    clock.advance(31 * 60_000);
    await server.remediation.runOnce();
    const after = await remediations();
    expect(after.find((r: any) => r.target === 'a').status).toBe('succeeded');
    expect(after.find((r: any) => r.target === 'c')).toMatchObject({ status: 'escalated' });
    expect(after.find((r: any) => r.target === 'c').reason).toContain('nobody approved or rejected within 30m');
    expect(existsSync(marker('c'))).toBe(false);
  });

  it('does not remediate a silenced alert, and does once the silence is expired while it still fires', async () => {
    await start();
    const marker = join(dir, `${kind}-after-silence`);
    const silence = await server.request('POST', '/api/v1/silences', { matchers: ['alertname=WebDown'], duration: '1h', createdBy: 'alice', comment: 'deploy' });
    await fire({ alertname: 'WebDown', instance: 'web-7' }, { marker });
    expect(await remediations()).toHaveLength(0);
    await server.request('DELETE', `/api/v1/silences/${silence.body.silenceID}`);
    const [r] = await remediations();
    expect(r).toMatchObject({ runbook: 'restart-web', target: 'web-7', status: 'pending' });
    await server.remediation.runOnce();
    expect(existsSync(marker)).toBe(true);
  });
});
