import { Agent, createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy, type FaultProxyEvent } from '../src/chaos/proxy/index.js';

// What a client sees through each toxic: real sockets on loopback, a real HTTP server behind the proxy.

let server: Server;
let proxyPort: number;
const proxy = new FaultProxy();
const events: FaultProxyEvent[] = [];
/** Requests the server received, by path. */
const seen: string[] = [];
/** Server-side remote ports, one per request: tells which connection carried it. */
const ports: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    ports.push(req.socket.remotePort ?? 0);
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => {
      if (req.url === '/5000') res.end(Buffer.alloc(5000, 1));
      else if (req.url === '/100') res.end('x'.repeat(100));
      else if (req.url === '/close') {
        res.setHeader('connection', 'close');
        res.end('bye');
      } else res.end(`got ${req.method} ${req.url} with ${body} bytes`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const p = await proxy.createProxy({ name: 'shop', upstream: `127.0.0.1:${(server.address() as { port: number }).port}` });
  proxyPort = Number(p.listen.split(':').pop());
  proxy.onChange((e) => events.push(e));
});

afterEach(async () => {
  await proxy.reset();
  seen.length = 0;
  ports.length = 0;
});

afterAll(async () => {
  await proxy.close();
  server.close();
});

interface RawResult {
  data: Buffer;
  chunks: number[];
  /** ms from sending to the first byte, to the FIN, to an error */
  firstByteMs?: number;
  lastByteMs?: number;
  endMs?: number;
  error?: string;
  errorMs?: number;
}

/** Writes `text` on a raw TCP connection through the proxy and records what comes back until `waitMs` or close. */
function raw(text: string, waitMs: number, opts: { socket?: Socket } = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = opts.socket ?? connect({ host: '127.0.0.1', port: proxyPort });
    const result: RawResult = { data: Buffer.alloc(0), chunks: [] };
    const t0 = performance.now();
    const finish = () => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve(result);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (c: Buffer) => {
      result.firstByteMs ??= performance.now() - t0;
      result.lastByteMs = performance.now() - t0;
      result.chunks.push(c.length);
      result.data = Buffer.concat([result.data, c]);
    });
    socket.once('end', () => {
      result.endMs = performance.now() - t0;
      finish();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      result.error = err.code;
      result.errorMs = performance.now() - t0;
      finish();
    });
    socket.write(text);
  });
}

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: shop\r\n${extra}\r\n`;

function get(path: string, agent: Agent | false = false, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; ms: number; headers: Record<string, unknown> }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path, agent, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('toxics as a client sees them', () => {
  it('timeout: no data gets through and the connection closes after the timeout', async () => {
    proxy.addToxic('shop', { type: 'timeout', attributes: { timeout: 300 } });
    const r = await raw(GET('/'), 2000);
    expect(r.data.length).toBe(0);
    expect(r.error).toBeUndefined();
    expect(r.endMs).toBeGreaterThanOrEqual(280);
    expect(r.endMs).toBeLessThan(800);
  });

  it('timeout 0: the connection stalls, open, until the toxic is removed; then it carries data again', async () => {
    proxy.addToxic('shop', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const socket = connect({ host: '127.0.0.1', port: proxyPort });
    const stalled = await raw(GET('/stalled'), 500, { socket });
    expect(stalled.data.length).toBe(0);
    expect(stalled.endMs).toBeUndefined();
    expect(stalled.error).toBeUndefined();
    expect(seen).toEqual([]);
    proxy.removeToxic('shop', 'timeout_upstream');
    const after = await raw(GET('/after'), 1000, { socket });
    expect(after.data.toString()).toContain('got GET /after');
    socket.destroy();
  });

  it('reset_peer: the client gets "connection reset by peer", at once or after the timeout', async () => {
    proxy.addToxic('shop', { type: 'reset_peer', attributes: { timeout: 0 } });
    const now = await raw(GET('/'), 2000);
    expect(now.error).toBe('ECONNRESET');
    expect(now.data.length).toBe(0);
    proxy.updateToxic('shop', 'reset_peer_downstream', { attributes: { timeout: 300 } });
    const later = await raw(GET('/'), 2000);
    expect(later.error).toBe('ECONNRESET');
    expect(later.errorMs).toBeGreaterThanOrEqual(280);
  });

  it('slow_close: the data arrives at once, the close only after the delay', async () => {
    proxy.addToxic('shop', { type: 'slow_close', attributes: { delay: 500 } });
    const r = await raw(GET('/close'), 3000);
    expect(r.data.toString()).toMatch(/bye$/);
    expect(r.firstByteMs).toBeLessThan(200);
    expect(r.endMs).toBeGreaterThanOrEqual(480);
  });

  it('slicer: the response comes in small slices, spaced by the delay', async () => {
    proxy.addToxic('shop', { type: 'slicer', attributes: { average_size: 10, size_variation: 0, delay: 20_000 } });
    const r = await raw(GET('/100'), 1500);
    const response = r.data.toString();
    expect(response).toMatch(/x{100}$/);
    expect(Math.max(...r.chunks)).toBeLessThanOrEqual(10);
    expect(r.chunks.length).toBeGreaterThanOrEqual(Math.ceil(r.data.length / 10) - 1);
    // Slices 20 ms apart: the whole response takes about (slices - 1) × 20 ms.
    expect(r.lastByteMs! - r.firstByteMs!).toBeGreaterThan((r.chunks.length - 1) * 20 * 0.9);
  });

  it('limit_data: exactly the limit gets through, then the connection closes', async () => {
    proxy.addToxic('shop', { type: 'limit_data', attributes: { bytes: 1000 } });
    const r = await raw(GET('/5000'), 3000);
    expect(r.data.length).toBe(1000);
    expect(r.endMs).toBeDefined();
    expect(r.error).toBeUndefined();
  });

  it('blackhole: the request vanishes, nothing answers and nothing closes', async () => {
    proxy.addToxic('shop', { type: 'blackhole', stream: 'upstream' });
    const r = await raw(GET('/void'), 700);
    expect(r.data.length).toBe(0);
    expect(r.endMs).toBeUndefined();
    expect(r.error).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('http_error: every request answered with 503 by the proxy, none reaching the server', async () => {
    proxy.addToxic('shop', { type: 'http_error', attributes: { status: 503, body: 'down for chaos' } });
    const r = await get('/buy');
    expect(r).toMatchObject({ status: 503, body: 'down for chaos' });
    expect(seen).toEqual([]);
  });

  it('http_error share 0.5: about half the requests on keep-alive connections get the 503, the rest reach the server intact', async () => {
    proxy.addToxic('shop', { type: 'http_error', attributes: { status: 503, share: 0.5 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const n = 400;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0 ? get(`/get/${i}`, agent) : get(`/post/${i}`, agent, { method: 'POST', body: 'y'.repeat(i), headers: i % 4 === 1 ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(i) } }),
      ),
    );
    agent.destroy();
    const errors = results.filter((r) => r.status === 503).length;
    const ok = results.filter((r) => r.status === 200);
    console.log(`http_error share 0.5: ${errors} of ${n} answered 503`);
    expect(errors + ok.length).toBe(n);
    expect(errors).toBeGreaterThanOrEqual(140);
    expect(errors).toBeLessThanOrEqual(260);
    // Forwarded requests arrive whole (bodies included) and get their own answer.
    expect(seen.length).toBe(ok.length);
    for (const r of ok) expect(r.body).toMatch(/^got (GET \/get\/\d+ with 0|POST \/post\/(\d+) with \2) bytes$/);
    // Keep-alive: the 400 requests used at most 4 connections to the server... and fewer than 400.
    expect(new Set(ports).size).toBeLessThanOrEqual(4);
  });

  it('a toxic added while a keep-alive connection is open slows that connection; removing it speeds it up', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await get('/1', agent);
    proxy.addToxic('shop', { name: 'late', type: 'latency', attributes: { latency: 300 } });
    const during = await get('/2', agent);
    proxy.removeToxic('shop', 'late');
    const after = await get('/3', agent);
    agent.destroy();
    expect(new Set(ports).size).toBe(1); // one connection throughout
    expect(before.ms).toBeLessThan(100);
    expect(during.ms).toBeGreaterThanOrEqual(295);
    expect(after.ms).toBeLessThan(100);
  });

  it('removing a latency toxic releases the data it holds at once', async () => {
    proxy.addToxic('shop', { name: 'long', type: 'latency', attributes: { latency: 5000 } });
    const pending = get('/held');
    await sleep(200);
    proxy.removeToxic('shop', 'long');
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(1000);
  });

  it('ttl: a toxic removes itself after its ttl, keeping expiresAt until then', async () => {
    const t = proxy.addToxic('shop', { name: 'brief', type: 'latency', attributes: { latency: 300 }, ttl: 400 });
    expect(t.ttl).toBe(400);
    expect(Date.parse(t.expiresAt!) - Date.now()).toBeGreaterThan(300);
    expect((await get('/slow')).ms).toBeGreaterThanOrEqual(295);
    await sleep(500);
    expect(proxy.listToxics('shop')).toEqual([]);
    expect((await get('/fast')).ms).toBeLessThan(100);
    expect(events.find((e) => e.kind === 'toxic.removed' && e.toxic?.name === 'brief')).toMatchObject({ reason: 'ttl', toxic: { expiresAt: t.expiresAt } });
  });

  it('a disabled proxy refuses connections and drops the open ones', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort });
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    await proxy.updateProxy('shop', { enabled: false });
    await closed;
    await expect(get('/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.updateProxy('shop', { enabled: true });
    expect((await get('/')).status).toBe(200);
  });
});
