import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock, type Clock } from '../../src/store/clock.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './testDatabases.js';

export interface TestServer extends RunningServer {
  db: TestDatabase;
  clock: Clock;
  /** fetch JSON from the server; returns status and parsed body */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export function writeConfigDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-config-'));
  writeFileSync(join(dir, 'config.yaml'), yaml);
  return dir;
}

/** A real server on a free loopback port, over a fresh database of the given kind. */
export async function startTestServer(
  kind: StoreKind,
  opts: Partial<ServeOptions> & { configYaml?: string; clock?: Clock } = {},
): Promise<TestServer> {
  const db = await createTestDatabase(kind);
  const clock = opts.clock ?? new ManualClock(Date.now());
  const server = await startServer({
    ...db.options,
    port: 0,
    host: '127.0.0.1',
    maintenanceIntervalMs: 0,
    logger: pino({ level: process.env.PRODENG_TEST_LOG ?? 'silent' }),
    clock,
    configDir: opts.configYaml ? writeConfigDir(opts.configYaml) : opts.configDir,
    ...opts,
  });
  return {
    ...server,
    db,
    clock,
    async request(method, path, body, headers = {}) {
      const res = await fetch(server.url + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (metrics text); return as is
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await server.close();
      await db.cleanup();
    },
  };
}
