import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeEachStore, createTestDatabase, type TestDatabase } from './support/testDatabases.js';
import { serveBuilt } from './support/builtServer.js';

const serve = (dataDir: string, databaseUrl: string | undefined) => serveBuilt(['--data', dataDir], databaseUrl);

describeEachStore('durability: a 2xx means committed', (kind) => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await db?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged alert when the server is killed with SIGKILL right after replying', async () => {
    db = await createTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'prodeng-kill-'));
    const first = await serve(dataDir, db.options.databaseUrl);
    child = first.child;
    const acked: string[] = [];
    // Fire requests without waiting, and kill the server the moment the
    // 50th reply arrives: everything answered 2xx must survive.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 200; i++) {
        fetch(`${first.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ labels: { alertname: 'Durable', n: String(i) } }]),
        })
          .then((res) => {
            if (res.ok) acked.push(String(i));
            if (acked.length === 50) {
              first.child.kill('SIGKILL');
              resolve();
            }
          })
          .catch(() => undefined);
      }
    });
    await new Promise((r) => first.child.once('exit', r));
    const second = await serve(dataDir, db.options.databaseUrl);
    child = second.child;
    const res = await fetch(`${second.url}/api/v1/alerts?limit=1000`);
    const stored = new Set(((await res.json()) as any).alerts.map((a: any) => a.labels.n));
    const lost = acked.filter((n) => !stored.has(n));
    expect(acked.length).toBeGreaterThanOrEqual(50);
    expect(lost).toEqual([]);
  });
  it('keeps every acknowledged re-send that moved endsAt when killed with SIGKILL right after replying (issue 15)', async () => {
    db = await createTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'prodeng-kill-'));
    const first = await serve(dataDir, db.options.databaseUrl);
    child = first.child;
    const post = (body: unknown) =>
      fetch(`${first.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const soon = new Date(Date.now() + 60_000).toISOString();
    const open = Array.from({ length: 100 }, (_, i) => ({ labels: { alertname: 'Steady', n: String(i) }, endsAt: soon }));
    expect((await post(open)).status).toBe(200);
    // Prometheus' steady state: each alert re-sent as it was, only endsAt
    // later. Kill the server the moment the 50th reply arrives.
    const movedTo = new Map<string, string>();
    await new Promise<void>((resolve) => {
      let acked = 0;
      for (let i = 0; i < 200; i++) {
        const n = String(i % 100);
        const endsAt = new Date(Date.now() + 3_600_000 + i * 1000).toISOString();
        post([{ labels: { alertname: 'Steady', n }, endsAt }])
          .then((res) => {
            if (res.ok && (movedTo.get(n) ?? '') < endsAt) movedTo.set(n, endsAt);
            if (res.ok && ++acked === 50) {
              first.child.kill('SIGKILL');
              resolve();
            }
          })
          .catch(() => undefined);
      }
    });
    await new Promise((r) => first.child.once('exit', r));
    const second = await serve(dataDir, db.options.databaseUrl);
    child = second.child;
    const res = await fetch(`${second.url}/api/v1/alerts?limit=1000`);
    const stored = new Map<string, any>(((await res.json()) as any).alerts.map((a: any) => [a.labels.n, a]));
    expect(movedTo.size).toBeGreaterThanOrEqual(25);
    const lost = [...movedTo].filter(([n, endsAt]) => stored.get(n)?.endsAt < endsAt || stored.get(n)?.status !== 'firing');
    expect(lost).toEqual([]);
    expect(stored.size).toBe(100);
  });
});
