import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { identify } from '../src/actions/processGroups.js';
import { recordingWatch } from '../src/actions/stepProcesses.js';
import { claimRemediationWork, type ExecutorOptions } from '../src/remediation/executor.js';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

const config = `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: one-at-a-time }
spec:
  match: { alertname: Stuck }
  target: "{{ labels.instance }}"
  safety: { maxConcurrent: 1 }
  steps:
    - { name: long, action: exec, with: { argv: ["true"] } }
`;

const LEASE_MS = 60_000;
const running = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * Another replica took svc-1's remediation, started its step and stopped
 * renewing its lease (killed). The step's process is recorded with the
 * remediation; whoever takes it over as crashed ends that process before
 * the slot is given back, or, if it cannot reach it, keeps the slot.
 */
describeEachStore('taking over a remediation whose step process may still run', (kind) => {
  let server: TestServer | undefined;
  const started: number[] = [];
  afterEach(async () => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await server?.stop();
  });

  async function interruptedMidStep(place?: { place: string; host: string }) {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config, remediationLeaseMs: LEASE_MS });
    await server.remediation.runOnce(); // this process's start is behind it
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Stuck', instance: 'svc-1' } }]);
    // the other replica claims it and starts its step …
    const other: ExecutorOptions = { store: server.store, clock, logger: pino({ level: 'silent' }), dryRun: false, owner: 'the-other-replica', scopeSize: () => null, leaseMs: LEASE_MS };
    const [item] = await claimRemediationWork(other, 1);
    const id = Number(item!.subject);
    await server.store.db.updateTable('remediations').set({ status: 'running', started_at: clock.now(), step_in_progress: 1, updated_at: clock.now() }).where('id', '=', id).execute();
    const step = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    started.push(step.pid!);
    await recordingWatch(server.store.db, id, () => clock.now()).started(identify(step.pid!), { argv: ['sleep', '60'], timeoutMs: 30_000 });
    if (place) await server.store.db.withTables<{ step_processes: { place: string; host: string } }>().updateTable('step_processes').set(place).execute();
    // … and a second alert waits behind maxConcurrent: 1
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Stuck', instance: 'svc-2' } }]);
    await server.remediation.runOnce();
    clock.advance(LEASE_MS + 1000); // the other replica's lease runs out
    return { id, step: step.pid!, clock };
  }
  const byTarget = async () => Object.fromEntries(((await server!.request('GET', '/api/v1/remediations')).body.remediations as any[]).map((r) => [r.target, r]));

  it('kills the step process (its group) before it escalates the interrupted step and gives the slot back', async () => {
    const { id, step } = await interruptedMidStep();
    expect(running(step)).toBe(true);
    await server!.remediation.runOnce();
    expect(running(step)).toBe(false);
    const trail = JSON.stringify((await server!.request('GET', `/api/v1/remediations/${id}`)).body);
    expect(trail).toContain(`killed the step process ${step}`);
    const r = await byTarget();
    expect(r['svc-1'].status).toBe('escalated');
  });

  it('keeps the slot while the step process runs where it cannot be ended from here', async () => {
    const { id, clock } = await interruptedMidStep({ place: 'another-boot/pid:[1]', host: 'another-machine' });
    await server!.remediation.runOnce();
    clock.advance(10_000);
    await server!.remediation.runOnce(); // svc-2 looks again: still no room
    const r = await byTarget();
    expect(r['svc-1'].status).toBe('running');
    expect(r['svc-1'].reason).toContain('may still run and cannot be ended from here');
    expect(r['svc-2'].status).toBe('pending');
    expect(r['svc-2'].reason).toContain('maxConcurrent');
    const trail = JSON.stringify((await server!.request('GET', `/api/v1/remediations/${id}`)).body);
    expect(trail).toContain('not running a step or giving its slot back until it has ended');
  });
});
