import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runHealthCheck } from '../../probes/healthCheck.js';
import { crashExitCode, parseFault } from './faults.js';
import { HttpError } from './http.js';
import { startShopProcess, type ShopProcessOptions, type ShopProcess } from './shopProcess.js';

const root = mkdtempSync(join(tmpdir(), 'prodeng-shop-faults-'));
const started: ShopProcess[] = [];

async function start(options: Partial<ShopProcessOptions> & Pick<ShopProcessOptions, 'service'>): Promise<ShopProcess> {
  const p = await startShopProcess({ dataDir: join(root, `${options.service}-${started.length}`), ...options });
  started.push(p);
  return p;
}

function lab(p: ShopProcess, method: 'GET' | 'POST' | 'DELETE', body?: unknown, token?: string, timeoutMs = 3000): Promise<Response> {
  return fetch(`${p.url}/_lab/faults`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ms: number; body: string }> {
  const t = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text(), ms: Date.now() - t };
}

const addItem = (cart: ShopProcess) =>
  timed(`${cart.url}/cart/dora/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: '6E92ZMYYFZ', quantity: 1 }) });

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('fault input', () => {
  it('names the bad field', () => {
    const message = (body: Record<string, unknown>) => {
      try {
        parseFault(body);
      } catch (err) {
        return `${(err as HttpError).status} ${(err as Error).message}`;
      }
      return 'accepted';
    };
    expect(message({})).toMatch(/^400 fault: must be one of crash, hang/);
    expect(message({ fault: 'slow' })).toMatch(/^400 ms: /);
    expect(message({ fault: 'slow', ms: 100, path: 'products' })).toMatch(/^400 path: /);
    expect(message({ fault: 'errors', share: 1.5 })).toMatch(/^400 share: /);
    expect(message({ fault: 'leak', mbPerSecond: -1 })).toMatch(/^400 mbPerSecond: /);
    expect(message({ fault: 'crash', ms: 3 })).toMatch(/^400 ms: not a parameter of fault crash/);
    expect(parseFault({ fault: 'leak' })).toEqual({ fault: 'leak', mbPerSecond: 5, maxMb: 1024 });
  });
});

describe('faults in a real service process', () => {
  it('rejects bad input with a 400 over HTTP, and asks for the admin token when one is set', async () => {
    const catalog = await start({ service: 'catalog', adminToken: 's3cret' });
    expect((await lab(catalog, 'GET')).status).toBe(401);
    expect((await lab(catalog, 'GET', undefined, 'wrong')).status).toBe(401);
    const bad = await lab(catalog, 'POST', { fault: 'errors', share: 'half' }, 's3cret');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'share: must be a number above 0 and at most 1' });
    expect((await lab(catalog, 'GET', undefined, 's3cret')).status).toBe(200);
  });

  it('crash: answers, then the process exits non-zero', async () => {
    const catalog = await start({ service: 'catalog' });
    expect((await lab(catalog, 'POST', { fault: 'crash' })).status).toBe(200);
    expect(await catalog.exited).toBe(crashExitCode);
  });

  it('hang: a TCP probe still connects, HTTP (healthz and /_lab/) times out, SIGTERM is ignored', async () => {
    const catalog = await start({ service: 'catalog' });
    expect((await lab(catalog, 'POST', { fault: 'hang' })).status).toBe(200);
    const [tcp, http] = await Promise.all([
      runHealthCheck({ tcp: { address: `127.0.0.1:${catalog.port}`, timeout: 1000 } }),
      runHealthCheck({ http: { url: `${catalog.url}/healthz`, status: 200, timeout: 1000 } }),
    ]);
    expect(tcp.ok, tcp.summary).toBe(true);
    expect(http).toMatchObject({ ok: false, summary: expect.stringContaining('no answer within 1000 ms') });
    await expect(lab(catalog, 'GET', undefined, undefined, 500)).rejects.toThrow(/aborted due to timeout/);
    // Like a deadlocked process: SIGTERM goes unanswered, stop() falls back to SIGKILL.
    expect(await catalog.stop(500)).toBe('SIGKILL');
  });

  it('slow: adds the latency to the matching path only, not to healthz or /_lab/', async () => {
    const catalog = await start({ service: 'catalog' });
    expect((await lab(catalog, 'POST', { fault: 'slow', ms: 400, path: '/products' })).status).toBe(201);
    expect((await timed(`${catalog.url}/products`)).ms).toBeGreaterThanOrEqual(400);
    expect((await timed(`${catalog.url}/products/6E92ZMYYFZ`)).ms).toBeGreaterThanOrEqual(400);
    expect((await timed(`${catalog.url}/healthz`)).ms).toBeLessThan(300);
    expect(await (await lab(catalog, 'GET')).json()).toMatchObject({ faults: [{ fault: 'slow', ms: 400, path: '/products' }] });
    await lab(catalog, 'DELETE');
    expect((await timed(`${catalog.url}/products`)).ms).toBeLessThan(300);
  });

  it('errors: about the asked share answers 500; at 100% healthz fails with the reason', async () => {
    const catalog = await start({ service: 'catalog' });
    await lab(catalog, 'POST', { fault: 'errors', share: 0.5 });
    const statuses = await Promise.all(Array.from({ length: 200 }, () => timed(`${catalog.url}/products/6E92ZMYYFZ`).then((r) => r.status)));
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(60); // 100 expected; 60..140 is beyond 5 standard deviations
    expect(failed).toBeLessThan(140);
    expect(statuses.filter((s) => s !== 500 && s !== 200)).toEqual([]);

    await lab(catalog, 'POST', { fault: 'errors', share: 1 });
    const health = await timed(`${catalog.url}/healthz`);
    expect(health.status).toBe(500);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'error', reason: 'injected fault: errors (share 1)' });
    expect((await lab(catalog, 'GET')).status).toBe(200); // /_lab/ is spared
  });

  it('disk-full: cart writes fail and healthz answers 507 until cleared', async () => {
    const cart = await start({ service: 'cart', diskQuotaBytes: 200_000 });
    expect((await addItem(cart)).status).toBe(201);
    const injected = (await (await lab(cart, 'POST', { fault: 'disk-full' })).json()) as { disk: { usedBytes: number; ballastBytes: number } };
    expect(injected.disk.usedBytes).toBe(200_000);

    const write = await addItem(cart);
    expect(write.status).toBe(507);
    expect(write.body).toContain('disk full');
    const health = await timed(`${cart.url}/healthz`);
    expect(health.status).toBe(507);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'disk full', service: 'cart' });
    // The failed write lost nothing: the cart still has its one item.
    expect(JSON.parse((await timed(`${cart.url}/cart/dora`)).body)).toMatchObject({ items: [{ productId: '6E92ZMYYFZ', quantity: 1 }] });

    await lab(cart, 'DELETE');
    expect(existsSync(join(root, 'cart-0', 'lab-ballast.bin'))).toBe(false);
    expect((await timed(`${cart.url}/healthz`)).status).toBe(200);
    expect((await addItem(cart)).status).toBe(201);
  });

  it('leak: RSS grows while it runs, and clearing lets the memory go', async () => {
    const catalog = await start({ service: 'catalog' });
    type State = { memory: { rssBytes: number; leakedBytes: number } };
    const before = ((await (await lab(catalog, 'GET')).json()) as State).memory.rssBytes;
    await lab(catalog, 'POST', { fault: 'leak', mbPerSecond: 100 });
    await new Promise((r) => setTimeout(r, 1000));
    const during = ((await (await lab(catalog, 'GET')).json()) as State).memory;
    expect(during.leakedBytes).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    expect(during.rssBytes - before).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const cleared = ((await (await lab(catalog, 'DELETE')).json()) as State).memory;
    expect(cleared.leakedBytes).toBe(0);
  });

  it('leak: with --max-rss-mb, healthz reports the memory and fails (503) once the leak passes the limit', async () => {
    const catalog = await start({ service: 'catalog', maxRssMb: 150 });
    type Health = { status: string; reason?: string; memory: { rssBytes: number; maxRssBytes: number } };
    const ok = await timed(`${catalog.url}/healthz`);
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as Health).memory).toEqual({ rssBytes: expect.any(Number), maxRssBytes: 150 * 1024 * 1024 });
    await lab(catalog, 'POST', { fault: 'leak', mbPerSecond: 100 });
    let health = ok;
    for (let i = 0; i < 40 && health.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      health = await timed(`${catalog.url}/healthz`);
    }
    expect(health.status).toBe(503);
    const body = JSON.parse(health.body) as Health;
    expect(body).toMatchObject({ status: 'out of memory', service: 'catalog' });
    expect(body.reason).toMatch(/^out of memory: resident \d+ MB, above the limit of 150 MB/);
    expect(body.memory.rssBytes).toBeGreaterThan(150 * 1024 * 1024);
  });

  it('stops cleanly on SIGTERM', async () => {
    const payment = await start({ service: 'payment' });
    expect(await payment.stop()).toBe(0);
  });
});
