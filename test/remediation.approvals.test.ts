import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13, "acting twice": an approved step runs once, however the answers and deadlines fall.

const dir = mkdtempSync(join(tmpdir(), 'prodeng-approvals-'));
const appendLine = (delayMs: number) =>
  `["${process.execPath}", "-e", "setTimeout(() => require('fs').appendFileSync(process.argv[1], 'ran\\\\n'), ${delayMs})", "{{ annotations.marker }}"]`;

const config = `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: careful }
spec:
  match: { alertname: Careful }
  target: "{{ labels.instance }}"
  steps: [{ name: once, action: exec, idempotent: false, with: { argv: ${appendLine(0)}, timeout: 10s } }]
  safety: { requireApproval: true, approvalTimeout: 30m }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: slow-careful }
spec:
  match: { alertname: SlowCareful }
  target: "{{ labels.instance }}"
  steps: [{ name: slow, action: exec, idempotent: false, with: { argv: ${appendLine(1500)}, timeout: 10s } }]
  safety: { requireApproval: true, approvalTimeout: 1m }
`;

const runs = (marker: string) => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0);

describeEachStore('remediation approvals', (kind) => {
  let server: TestServer;
  afterEach(async () => server?.stop());

  const waiting = async (alertname: string, marker: string) => {
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname, instance: 'db-1' }, annotations: { marker } }]);
    await server.remediation.runOnce();
    const [r] = (await server.request('GET', '/api/v1/remediations')).body.remediations;
    expect(r.status).toBe('awaiting_approval');
    return r.id as number;
  };

  it('takes one answer when several arrive at once; the others are told it was answered', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    const marker = join(dir, `${kind}-concurrent`);
    const id = await waiting('Careful', marker);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.request('POST', `/api/v1/remediations/${id}/approve`, { by: `approver-${i}`, reason: 'go' })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    await server.remediation.runOnce();
    await server.remediation.runOnce();
    expect(runs(marker)).toBe(1);
    const d = (await server.request('GET', `/api/v1/remediations/${id}`)).body;
    expect(d.timeline.filter((t: any) => t.kind === 'gate' && /^approved by/.test(t.message))).toHaveLength(1);
  });

  it('does not take the approval deadline for a crash while the approved step still runs', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    const marker = join(dir, `${kind}-deadline`);
    const id = await waiting('SlowCareful', marker);
    expect((await server.request('POST', `/api/v1/remediations/${id}/approve`, { by: 'carol', reason: 'go' })).status).toBe(200);
    const first = server.remediation.runOnce();
    await new Promise((r) => setTimeout(r, 300));
    // The deadline the approval beat passes while the step is still running.
    clock.advance(2 * 60_000);
    const second = server.remediation.runOnce();
    await Promise.all([first, second]);
    expect(runs(marker)).toBe(1);
    const d = (await server.request('GET', `/api/v1/remediations/${id}`)).body;
    expect(d.status).toBe('succeeded');
    expect(d.timeline.map((t: any) => t.kind)).not.toContain('escalated');
  });
});
