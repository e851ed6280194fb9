import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointList } from './discovery.js';
import { products } from './products.js';
import { startShopProcess, type ShopProcess } from './shopProcess.js';

/** A real HTTP server on a free loopback port. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string; address: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}` };
}

/** A stand-in catalog endpoint that counts the requests it answers. */
async function countingCatalog() {
  let hits = 0;
  const endpoint = await listen((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ products }));
  });
  return {
    ...endpoint,
    get count() {
      return hits;
    },
  };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('parseEndpointList', () => {
  it('turns host:port addresses into base URLs and names a bad entry', () => {
    expect(parseEndpointList({ endpoints: [{ host: 'cart-1', address: '127.0.0.1:41234' }] })).toEqual(['http://127.0.0.1:41234']);
    expect(parseEndpointList({ endpoints: [] })).toEqual([]);
    // by host name, whatever the addresses: behind fault proxies each caller has its own
    expect(parseEndpointList({ endpoints: [{ host: 'cart-2', address: '127.0.0.1:1000' }, { host: 'cart-1', address: '127.0.0.1:2000' }] })).toEqual(['http://127.0.0.1:2000', 'http://127.0.0.1:1000']);
    expect(() => parseEndpointList({})).toThrow('endpoints: missing or not a list');
    expect(() => parseEndpointList({ endpoints: [{ address: '127.0.0.1:1' }, { host: 'x' }] })).toThrow('endpoints[1].address');
    expect(() => parseEndpointList({ endpoints: [{ address: 'no-port' }] })).toThrow('is not host:port');
  });
});

describe('dependency discovery from prodeng, polled every second', () => {
  const root = mkdtempSync(join(tmpdir(), 'prodeng-shop-discovery-'));
  let listed: string[] = [];
  let discoveryStatus = 200;
  const authorizations = new Set<string | undefined>();
  let discovery: Awaited<ReturnType<typeof listen>>;
  let a: Awaited<ReturnType<typeof countingCatalog>>;
  let b: Awaited<ReturnType<typeof countingCatalog>>;
  let deadAddress: string;
  let recommendation: ShopProcess;

  const recommend = async () => {
    const res = await fetch(`${recommendation.url}/recommendations`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: (await res.json()) as { error?: string; productIds?: string[] } };
  };

  beforeAll(async () => {
    discovery = await listen((req, res) => {
      authorizations.add(req.headers.authorization);
      // The caller names itself (`from`), so prodeng can route this edge through its fault proxy.
      if (req.url !== '/api/v1/services/catalog/endpoints?from=recommendation') return res.writeHead(404).end('{"error":"no such service"}');
      if (discoveryStatus !== 200) return res.writeHead(discoveryStatus).end('{"error":"store unavailable"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoints: listed.map((address, i) => ({ host: `catalog-${i + 1}`, address })) }));
    });
    [a, b] = await Promise.all([countingCatalog(), countingCatalog()]);
    const dead = await listen(() => {});
    deadAddress = dead.address;
    await new Promise((r) => dead.server.close(r));
    listed = [a.address];
    recommendation = await startShopProcess({
      service: 'recommendation',
      dataDir: join(root, 'recommendation'),
      discoveryUrl: discovery.url,
      env: { ...process.env, PRODENG_API_TOKEN: 'tok-123' },
    });
  });

  afterAll(async () => {
    await recommendation?.kill();
    for (const s of [discovery, a, b]) s?.server.closeAllConnections();
    await Promise.all([discovery, a, b].map((s) => s && new Promise((r) => s.server.close(r))));
    rmSync(root, { recursive: true, force: true });
  });

  it('calls the listed endpoint and sends PRODENG_API_TOKEN to discovery', async () => {
    const { status, body } = await recommend();
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.productIds).toHaveLength(4);
    expect(a.count).toBe(1);
    expect([...authorizations]).toEqual(['Bearer tok-123']);
  });

  it('switches endpoints when the list changes', async () => {
    listed = [b.address];
    await waitUntil('a request reaches the new endpoint', async () => {
      const before = b.count;
      await recommend();
      return b.count > before;
    });
    const aBefore = a.count;
    for (let i = 0; i < 5; i++) expect((await recommend()).status).toBe(200);
    expect(a.count).toBe(aBefore);
  });

  it('round-robins across the listed endpoints', async () => {
    listed = [a.address, b.address];
    await waitUntil('both endpoints are used', async () => {
      const [aBefore, bBefore] = [a.count, b.count];
      await Promise.all([recommend(), recommend()]);
      return a.count > aBefore && b.count > bBefore;
    });
    const [aBefore, bBefore] = [a.count, b.count];
    for (let i = 0; i < 10; i++) await recommend();
    expect(a.count - aBefore).toBe(5);
    expect(b.count - bBefore).toBe(5);
  });

  it('tries the next endpoint once when one refuses the connection', async () => {
    listed = [deadAddress, a.address];
    await new Promise((r) => setTimeout(r, 1500)); // one poll later, the dead one is listed
    const before = a.count;
    const results = await Promise.all(Array.from({ length: 6 }, () => recommend()));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(a.count - before).toBe(6);
  });

  it('keeps the last list while discovery fails', async () => {
    listed = [b.address];
    await waitUntil('the list is b alone', async () => {
      const before = b.count;
      await Promise.all([recommend(), recommend()]);
      return b.count === before + 2;
    });
    discoveryStatus = 503;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await recommend()).status).toBe(200);
    discoveryStatus = 200;
  });

  it('fails fast with a clear error when the list is empty', async () => {
    listed = [];
    await waitUntil('the dependency is unavailable', async () => (await recommend()).status === 503);
    const started = Date.now();
    const { status, body } = await recommend();
    expect(Date.now() - started).toBeLessThan(200);
    expect(status).toBe(503);
    expect(body.error).toMatch(/^catalog: unavailable: no endpoints \(discovery http:\/\/127\.0\.0\.1:\d+\/api\/v1\/services\/catalog\/endpoints\?from=recommendation lists none\)$/);
  });
});
