import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachStore, type TestDatabase } from './support/testDatabases.js';
import { waitFor } from './support/peers.js';
import { serveBuilt } from './support/builtServer.js';

const config = (idempotent: boolean) => `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: slow-fix }
spec:
  match: { alertname: SlowFix }
  target: "{{ labels.instance }}"
  steps:
    - name: slow
      action: exec
      idempotent: ${idempotent}
      with: { argv: ["sh", "-c", "echo run >> \\"$0\\"; sleep 4", "{{ annotations.log }}"], timeout: 30s }
`;

const serve = (configDir: string, dataDir: string, databaseUrl: string | undefined) =>
  serveBuilt(['--config', configDir, '--data', dataDir, '--remediation-lease', '2s'], databaseUrl);

describeEachStore('remediation survives a server killed mid-step', (kind) => {
  let db: TestDatabase | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await db?.cleanup();
  });

  for (const idempotent of [true, false]) {
    it(`${idempotent ? 're-runs an idempotent step' : 'escalates, without re-running, a step that is not idempotent'}`, async () => {
      db = await createTestDatabase(kind);
      const work = mkdtempSync(join(tmpdir(), 'prodeng-crash-'));
      const configDir = join(work, 'config');
      const log = join(work, 'runs.log');
      mkdirSync(configDir, { recursive: true });
      writeFileSync(join(configDir, 'runbook.yaml'), config(idempotent));
      const dataDir = db.options.dataDir ?? join(work, 'data');
      const first = await serve(configDir, dataDir, db.options.databaseUrl);
      child = first.child;
      await fetch(`${first.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'SlowFix', instance: 'svc-1' }, annotations: { log } }]),
      });
      await waitFor('the step to start', async () => existsSync(log), 15_000);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      const second = await serve(configDir, dataDir, db.options.databaseUrl);
      child = second.child;
      const done = await waitFor(
        'the remediation to finish after the restart',
        async () => {
          const body = (await (await fetch(`${second.url}/api/v1/remediations`)).json()) as any;
          const r = body.remediations[0];
          return r && ['succeeded', 'escalated'].includes(r.status) ? r : undefined;
        },
        30_000,
      );
      const runs = readFileSync(log, 'utf8').trim().split('\n').length;
      if (idempotent) {
        expect(done.status).toBe('succeeded');
        expect(runs).toBe(2);
      } else {
        expect(done.status).toBe('escalated');
        expect(done.reason).toContain('interrupted during step slow');
        expect(runs).toBe(1);
      }
    }, 60_000);
  }
});
