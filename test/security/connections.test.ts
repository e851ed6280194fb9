import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionsCheckingIntervalMs, headersTimeoutMs } from '../../src/api/connectionLimits.js';

// Issue 12, "no connection cap": 1,500 slow-header connections from one
// address against a server with 1,024 descriptors. While they are held,
// health and intake from another address still answer, and the server
// closes every slow connection within the header deadline. The attack is
// on HTTP, before any store is touched, so this runs on SQLite only.

const cli = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const slowClients = 1_500;
const attacker = '127.0.0.2';
const answerWithinMs = 2_500;
const slackMs = 4_000;

let child: ChildProcess | undefined;
let port = 0;
let dataDir = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'prodeng-connections-'));
  // The build's server, with the soft and hard descriptor limit the attack was run against.
  child = spawn('prlimit', ['--nofile=1024:1024', process.execPath, cli, 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, DATABASE_URL: '', PRODENG_LOG_LEVEL: 'warn', PRODENG_MAX_CONNECTIONS: '', PRODENG_MAX_CONNECTIONS_PER_CLIENT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.stderr!.on('data', (d) => (err += d));
    child!.on('exit', (code) => reject(new Error(`prodeng exited with ${code}: ${err}`)));
  });
  port = Number(new URL(url).port);
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** One request from 127.0.0.1 that gives up (status 0) after `withinMs`, so a refused server fails the test instead of hanging it. */
function requestWithin(method: string, path: string, body: string | undefined, withinMs: number): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {} },
      (res) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, ms: Date.now() - started });
    }, withinMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ status: 0, ms: Date.now() - started });
    });
    req.end(body);
  });
}

it('1,500 slow-header connections neither lock out health and intake nor outlive the header deadline', async () => {
  const slow: { socket: Socket; closedAt?: number }[] = [];
  const started = Date.now();
  // Each sends a request line and a Host header, then one more header byte every two seconds, never finishing.
  const drip = setInterval(() => {
    for (const s of slow) if (!s.socket.destroyed && s.socket.writable) s.socket.write('a');
  }, 2_000);
  try {
    for (let i = 0; i < slowClients; i++) {
      const socket = connect({ host: '127.0.0.1', port, localAddress: attacker });
      const entry: { socket: Socket; closedAt?: number } = { socket };
      socket.on('error', () => {});
      socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      // Read (and drop) what the server sends, so its closing is seen when it happens rather than at the next write.
      socket.resume();
      const closed = () => (entry.closedAt ??= Date.now());
      socket.once('end', closed);
      socket.once('close', closed);
      slow.push(entry);
    }
    // Let the connections land (or pile up in the listen queue, if the server cannot accept them).
    await new Promise((r) => setTimeout(r, 1_500));
    const held = slow.filter((s) => s.closedAt === undefined).length;
    expect(held, 'some slow connections are held, as an attacker would see').toBeGreaterThan(0);

    const health = await requestWithin('GET', '/healthz', undefined, answerWithinMs);
    expect(health.status, `GET /healthz while ${held} slow connections were open`).toBe(200);
    const alerts = JSON.stringify([{ labels: { alertname: 'UnderSlowloris', instance: 'a' } }]);
    const intake = await requestWithin('POST', '/api/v2/alerts', alerts, answerWithinMs);
    expect(intake.status, 'POST /api/v2/alerts while slow connections were open').toBe(200);

    // Every slow connection is closed by the server: at once beyond a cap, at the header deadline otherwise.
    const deadline = started + headersTimeoutMs + connectionsCheckingIntervalMs + slackMs;
    while (Date.now() < deadline && slow.some((s) => s.closedAt === undefined)) await new Promise((r) => setTimeout(r, 200));
    const open = slow.filter((s) => s.closedAt === undefined).length;
    expect(open, `slow connections still open ${Date.now() - started} ms after the first`).toBe(0);

    // And the server still answers once they are gone.
    expect((await requestWithin('GET', '/healthz', undefined, answerWithinMs)).status).toBe(200);
  } finally {
    clearInterval(drip);
    for (const s of slow) s.socket.destroy();
  }
}, 60_000);
