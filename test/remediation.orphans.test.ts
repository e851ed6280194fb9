import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachStore, type TestDatabase } from './support/testDatabases.js';
import { waitFor } from './support/peers.js';
import { serveBuilt } from './support/builtServer.js';

// Each step process, as it starts, looks for another step process still
// running (an overlap under maxConcurrent: 1 is written down), then writes
// its pid and becomes a long sleep.
const script = [
  'for p in $(cat "$0" 2>/dev/null); do',
  '  if [ -r /proc/$p/stat ] && ! grep -q ") Z" /proc/$p/stat; then echo "$p $$" >> "$0.overlap"; fi',
  'done',
  'echo $$ >> "$0"',
  'exec sleep 25',
].join('\n');

const config = (idempotent: boolean) => `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: one-at-a-time }
spec:
  match: { alertname: Stuck }
  target: "{{ labels.instance }}"
  safety: { maxConcurrent: 1 }
  steps:
    - name: long
      action: exec
      idempotent: ${idempotent}
      with: { argv: ["sh", "-c", ${JSON.stringify(script)}, "{{ annotations.log }}"], timeout: 30s }
`;

const running = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const pidsIn = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);

describeEachStore('a step process outlives a server killed with -9', (kind) => {
  let db: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  let log: string | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    // the steps this test started (detached, they outlive a killed server)
    for (const pid of log ? pidsIn(log) : []) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await db?.cleanup();
  });

  for (const idempotent of [false, true]) {
    it(`is killed before anything else runs, and no two steps run under maxConcurrent: 1 (${idempotent ? 'idempotent' : 'not idempotent'})`, async () => {
      db = await createTestDatabase(kind);
      const work = mkdtempSync(join(tmpdir(), 'prodeng-orphans-'));
      const configDir = join(work, 'config');
      log = join(work, 'steps.log');
      mkdirSync(configDir, { recursive: true });
      writeFileSync(join(configDir, 'runbook.yaml'), config(idempotent));
      const dataDir = db.options.dataDir ?? join(work, 'data');
      const serve = () => serveBuilt(['--config', configDir, '--data', dataDir, '--remediation-lease', '2s'], db!.options.databaseUrl);
      const fire = (url: string, instance: string) =>
        fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels: { alertname: 'Stuck', instance }, annotations: { log } }]) });

      const first = await serve();
      child = first.child;
      await fire(first.url, 'svc-1');
      const [orphan] = await waitFor('the first step to start', async () => (pidsIn(log!).length === 1 ? pidsIn(log!) : undefined), 15_000);
      await fire(first.url, 'svc-2'); // waits behind maxConcurrent: 1
      await new Promise((r) => setTimeout(r, 300));
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      expect(running(orphan!)).toBe(true); // its own process group: it outlived the server

      const second = await serve();
      child = second.child;
      await waitFor('the orphaned step to be killed', async () => !running(orphan!), 10_000);
      // the next step (svc-1's again if idempotent, else svc-2's) starts only after it
      await waitFor('another step to start', async () => pidsIn(log!).length >= 2, 40_000);
      expect(existsSync(`${log}.overlap`) ? readFileSync(`${log}.overlap`, 'utf8') : '').toBe('');

      const body = (await (await fetch(`${second.url}/api/v1/remediations`)).json()) as any;
      const r1 = body.remediations.find((r: any) => r.target === 'svc-1');
      const trail = (await (await fetch(`${second.url}/api/v1/remediations/${r1.id}`)).json()) as any;
      expect(JSON.stringify(trail)).toContain(`killed the step process ${orphan}`);
      if (!idempotent) expect(r1.status).toBe('escalated');
    }, 90_000);
  }
});
