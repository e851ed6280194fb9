import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/loadConfiguration.js';
import { createTestDatabase, describeEachStore, type TestDatabase } from '../support/testDatabases.js';
import { writeConfigDir } from '../support/testServer.js';

// Issue 12, denial of service: regular expressions from requests and config
// ran on a backtracking engine, so `(a+)+b` against ~30 `a`s held the event
// loop for minutes. The server runs in a child process here so that a stalled
// server fails the test by its deadline instead of hanging the test process.

const pathological = '(a+)+b';
const victim = 'a'.repeat(40);
const deadlineMs = 2000;

const config = `---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: backtracker }
spec:
  match: { alertname: Slow, v: "=~${pathological}" }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
`;

const serverUrl = new URL('../../src/server.ts', import.meta.url).href;
const childScript = `
import pino from 'pino';
import { startServer } from ${JSON.stringify(serverUrl)};
const server = await startServer({
  ...JSON.parse(process.env.REDOS_STORE),
  port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0,
  logger: pino({ level: 'silent' }),
  configDir: process.env.REDOS_CONFIG_DIR,
});
process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');
process.on('SIGTERM', () => server.close().then(() => process.exit(0), () => process.exit(1)));
`;

interface ChildServer {
  url: string;
  child: ChildProcess;
}

async function startChildServer(db: TestDatabase): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, REDOS_STORE: JSON.stringify(db.options), REDOS_CONFIG_DIR: writeConfigDir(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the child server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { url, child };
}

async function stopChildServer(server: ChildServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  // A server stalled in a regex never sees SIGTERM's handler run.
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** A request that gives up at the deadline: a stalled server fails the test, never hangs it. */
async function call(base: string, method: string, path: string, body?: unknown, timeoutMs = deadlineMs) {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, ms: performance.now() - started };
}

describeEachStore('regular expressions from requests and config run in linear time (issue 12)', (kind) => {
  let db: TestDatabase;
  let server: ChildServer | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startChildServer(db);
  }, 40_000);
  afterAll(async () => {
    await stopChildServer(server);
    await db?.cleanup();
  }, 20_000);

  /** Sends a request that may stall the server, then proves /healthz still answers promptly. */
  async function replay(method: string, path: string, body?: unknown) {
    const attack = call(server!.url, method, path, body).catch((err: Error) => ({ status: 0, body: err.message, ms: deadlineMs }));
    const health = await call(server!.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const reply = await attack;
    expect(reply.ms).toBeLessThan(deadlineMs);
    return reply;
  }

  it('a match[] filter (a+)+b against a 40-character label completes, and /healthz answers meanwhile', async () => {
    const fired = await call(server!.url, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Victim', v: victim } }], 10_000);
    expect(fired.status).toBe(200);
    const reply = await replay('GET', `/api/v1/alerts?match[]=${encodeURIComponent(`v=~"${pathological}"`)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.alerts).toEqual([]);
    const anchored = await call(server!.url, 'GET', `/api/v1/alerts?match[]=${encodeURIComponent('v=~"a{40}"')}`);
    expect(anchored.body.alerts.map((a: any) => a.labels.v)).toEqual([victim]);
  });

  it('a runbook matcher (a+)+b is evaluated in linear time when prodeng explains which runbook applies', async () => {
    const fired = await call(server!.url, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Slow', v: victim } }], 10_000);
    expect(fired.status).toBe(200);
    const listed = await call(server!.url, 'GET', `/api/v1/alerts?match[]=alertname%3DSlow`);
    const id = listed.body.alerts[0].id as number;
    const reply = await replay('GET', `/api/v1/alerts/${id}/runbooks`);
    expect(reply.status).toBe(200);
    expect(reply.body.chosen).toBeNull();
  });

  it('a silence with (a+)+b does not stall the intake of an alert it is checked against', async () => {
    const silence = await call(server!.url, 'POST', '/api/v1/silences', { matchers: [`v=~"${pathological}"`], duration: '1h', comment: 'issue 12 replay' });
    expect(silence.status).toBe(201);
    const reply = await replay('POST', '/api/v2/alerts', [{ labels: { alertname: 'Intake', v: victim } }]);
    expect(reply.status).toBe(200);
  });

  it('a pattern RE2 rejects (backreference, lookaround) is a 400 naming the field', async () => {
    const filter = await call(server!.url, 'GET', `/api/v1/alerts?match[]=${encodeURIComponent('v=~"(a)\\\\1"')}`);
    expect(filter.status).toBe(400);
    expect(JSON.stringify(filter.body)).toContain('match[]');
    expect(JSON.stringify(filter.body)).toMatch(/RE2/);
    const silence = await call(server!.url, 'POST', '/api/v1/silences', {
      matchers: [{ name: 'v', value: 'a(?=b)', isRegex: true }],
      duration: '1h',
      comment: 'lookahead',
    });
    expect(silence.status).toBe(400);
    expect(JSON.stringify(silence.body)).toContain('matchers');
    expect(JSON.stringify(silence.body)).toMatch(/RE2/);
  });
});

describe('a runbook whose match RE2 rejects is a config error (issue 12)', () => {
  it('names the runbook file, line and label', async () => {
    const lookaround = config.replace(`"=~${pathological}"`, '"=~web-(?!canary).*"');
    const loaded = await loadConfiguration(writeConfigDir(lookaround));
    expect(loaded.ok).toBe(false);
    expect(loaded.errors.map((e) => `${e.file}:${e.line}: ${e.path}: ${e.message}`).join('\n')).toMatch(/config\.yaml:\d+: spec\.match\.v: .*RE2/);
  });
});
