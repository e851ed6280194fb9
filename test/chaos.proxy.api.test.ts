import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { FaultProxy, registerToxiproxyRoutes, startToxiproxyServer, type FaultProxyEvent, type ToxiproxyServer } from '../src/chaos/proxy/index.js';

// The unmodified npm client drives the API; raw fetch checks the bodies the client does not surface.

let upstream: Server;
let upstreamAddress: string;
let api: ToxiproxyServer;
let client: Toxiproxy;
const events: FaultProxyEvent[] = [];

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${api.url}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(address: string): Promise<boolean> {
  const at = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: address.slice(0, at), port: Number(address.slice(at + 1)) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  upstream = createServer((req, res) => res.end(`upstream saw ${req.url}`));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamAddress = `127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const proxy = new FaultProxy();
  proxy.onChange((e) => events.push(e));
  api = await startToxiproxyServer({ port: 0, proxy });
  client = new Toxiproxy(api.url);
});

afterAll(async () => {
  await api?.close();
  await api?.proxy.close();
  upstream?.close();
});

describe('Toxiproxy API through toxiproxy-node-client', () => {
  it('answers GET /version with a JSON version', async () => {
    const text = await client.getVersion();
    expect(JSON.parse(text)).toEqual({ version: expect.stringMatching(/^2\.\d+\.\d+/) });
  });

  it('creates a proxy on a free port (201), forwards through it, and refuses a duplicate with 409', async () => {
    const created = await client.createProxy({ name: 'web', listen: '127.0.0.1:0', upstream: upstreamAddress });
    expect(created.name).toBe('web');
    expect(created.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(created.listen).not.toBe('127.0.0.1:0');
    expect(created.enabled).toBe(true);
    expect(await get(`http://${created.listen}/hello`)).toEqual({ status: 200, body: 'upstream saw /hello' });

    const raw = await call('POST', '/proxies', JSON.stringify({ name: 'raw', upstream: upstreamAddress }));
    expect(raw.status).toBe(201);
    expect(raw.json).toMatchObject({ name: 'raw', upstream: upstreamAddress, enabled: true, toxics: [] });

    await expect(client.createProxy({ name: 'web', listen: '127.0.0.1:0', upstream: upstreamAddress })).rejects.toThrow('status code 409');
    const dup = await call('POST', '/proxies', JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream: upstreamAddress }));
    expect(dup).toMatchObject({ status: 409, json: { error: 'proxy already exists', status: 409 } });
  });

  it('answers 404 with Toxiproxy\'s body for a missing proxy, on every proxy route', async () => {
    await expect(client.get('nope')).rejects.toThrow('status code 404');
    for (const [method, path] of [
      ['GET', '/proxies/nope'],
      ['POST', '/proxies/nope'],
      ['PATCH', '/proxies/nope'],
      ['DELETE', '/proxies/nope'],
      ['GET', '/proxies/nope/toxics'],
      ['POST', '/proxies/nope/toxics'],
      ['GET', '/proxies/nope/toxics/t'],
      ['POST', '/proxies/nope/toxics/t'],
      ['DELETE', '/proxies/nope/toxics/t'],
    ] as const) {
      const r = await call(method, path, method === 'POST' || method === 'PATCH' ? '{}' : undefined);
      expect({ method, path, ...r }).toMatchObject({ status: 404, json: { error: 'proxy not found', status: 404 } });
    }
  });

  it('answers 400 with Toxiproxy-style bodies for bad proxy input', async () => {
    expect(await call('POST', '/proxies', JSON.stringify({ upstream: upstreamAddress }))).toMatchObject({ status: 400, json: { error: 'missing required field: name', status: 400 } });
    expect(await call('POST', '/proxies', JSON.stringify({ name: 'x' }))).toMatchObject({ status: 400, json: { error: 'missing required field: upstream', status: 400 } });
    const broken = await call('POST', '/proxies', '{"name": ');
    expect(broken.status).toBe(400);
    expect((broken.json as { error: string }).error).toMatch(/^bad request body: /);
    const badListen = await call('POST', '/proxies', JSON.stringify({ name: 'x', listen: 'nowhere', upstream: upstreamAddress }));
    expect(badListen).toMatchObject({ status: 400, json: { error: expect.stringContaining('listen') } });
    const badEnabled = await call('POST', '/proxies', JSON.stringify({ name: 'x', upstream: upstreamAddress, enabled: 'yes' }));
    expect(badEnabled).toMatchObject({ status: 400, json: { error: expect.stringContaining('enabled: must be true or false') } });
    // Nothing was created by the failures.
    expect(Object.keys(await client.getAll()).sort()).toEqual(['raw', 'web']);
  });

  it('populates proxies (201), leaves an unchanged one untouched and replaces a changed one', async () => {
    const first = await client.populate([
      { name: 'db', listen: '127.0.0.1:0', upstream: upstreamAddress },
      { name: 'cache', listen: '127.0.0.1:0', upstream: upstreamAddress },
    ]);
    expect(Object.keys(first).sort()).toEqual(['cache', 'db']);
    const db = first.db!;
    await db.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1, jitter: 0 } } as ICreateToxicBody<unknown>);
    const again = await client.populate([{ name: 'db', listen: '127.0.0.1:0', upstream: upstreamAddress }]);
    expect(again.db!.listen).toBe(db.listen);
    expect((await client.get('db')).toJson()).toMatchObject({ listen: db.listen });
    expect((await call('GET', '/proxies/db')).json).toMatchObject({ toxics: [{ name: 'slow' }] });

    const replaced = await call('POST', '/populate', JSON.stringify([{ name: 'db', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }]));
    expect(replaced.status).toBe(201);
    expect(replaced.json).toMatchObject({ proxies: [{ name: 'db', upstream: '127.0.0.1:1', toxics: [] }] });

    const bad = await call('POST', '/populate', JSON.stringify([{ name: 'ok', upstream: upstreamAddress }, { name: 'missing-upstream' }]));
    expect(bad).toMatchObject({ status: 400, json: { error: 'missing required field: upstream at proxy 2', status: 400, proxies: [] } });
    expect(await call('GET', '/proxies/ok')).toMatchObject({ status: 404 });
    expect((await call('POST', '/populate', '{"name": "not a list"}')).status).toBe(400);
  });

  it('lists proxies with their toxics (GET /proxies)', async () => {
    const all = await call('GET', '/proxies');
    expect(all.status).toBe(200);
    expect(Object.keys(all.json as object).sort()).toEqual(['cache', 'db', 'raw', 'web']);
    expect((all.json as Record<string, unknown>).web).toMatchObject({ name: 'web', upstream: upstreamAddress, enabled: true, toxics: [] });
  });

  it('adds, shows, updates and removes toxics with the status codes Toxiproxy gives', async () => {
    const web = await client.get('web');
    const toxic = await web.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 5 } } as ICreateToxicBody<unknown>);
    expect(toxic.toJson()).toEqual({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 5 } });

    // Defaults: stream downstream, toxicity 1, name <type>_<stream>, attributes at their zero values.
    const defaults = await call('POST', '/proxies/web/toxics', JSON.stringify({ type: 'bandwidth', attributes: { rate: 500 } }));
    expect(defaults).toMatchObject({ status: 200, json: { name: 'bandwidth_downstream', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 500 } } });
    const zero = await call('POST', '/proxies/web/toxics', JSON.stringify({ type: 'slow_close', stream: 'upstream' }));
    expect(zero.json).toMatchObject({ name: 'slow_close_upstream', stream: 'upstream', attributes: { delay: 0 } });

    expect((await web.getToxic('lat')).toJson().attributes).toEqual({ latency: 100, jitter: 5 });
    const list = await call('GET', '/proxies/web/toxics');
    expect((list.json as Array<{ name: string }>).map((t) => t.name)).toEqual(['slow_close_upstream', 'lat', 'bandwidth_downstream']);

    // Update merges attributes over the current ones and may change toxicity.
    const updated = await toxic.update({ attributes: { latency: 200 }, toxicity: 0.5 } as never);
    expect(updated.toJson()).toMatchObject({ name: 'lat', toxicity: 0.5, attributes: { latency: 200, jitter: 5 } });
    const patched = await call('PATCH', '/proxies/web/toxics/lat', JSON.stringify({ attributes: { jitter: 0 } }));
    expect(patched).toMatchObject({ status: 200, json: { toxicity: 0.5, attributes: { latency: 200, jitter: 0 } } });

    await expect(web.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1 } } as ICreateToxicBody<unknown>)).rejects.toThrow('status code 409');
    expect(await call('POST', '/proxies/web/toxics', JSON.stringify({ name: 'lat', type: 'timeout' }))).toMatchObject({ status: 409, json: { error: 'toxic already exists', status: 409 } });

    await expect(web.getToxic('none')).rejects.toThrow('status code 404');
    expect(await call('GET', '/proxies/web/toxics/none')).toMatchObject({ status: 404, json: { error: 'toxic not found', status: 404 } });
    expect(await call('POST', '/proxies/web/toxics/none', '{}')).toMatchObject({ status: 404, json: { error: 'toxic not found' } });
    expect(await call('DELETE', '/proxies/web/toxics/none')).toMatchObject({ status: 404, json: { error: 'toxic not found' } });

    await toxic.remove();
    expect(await call('GET', '/proxies/web/toxics/lat')).toMatchObject({ status: 404 });
    expect((await call('DELETE', '/proxies/web/toxics/bandwidth_downstream')).status).toBe(204);
  });

  it('answers 400 naming the field for bad toxics', async () => {
    const cases: Array<[unknown, string | RegExp]> = [
      [{ type: 'nonsense' }, 'invalid toxic type'],
      [{ attributes: {} }, 'missing required field: type'],
      [{ type: 'latency', stream: 'sideways' }, 'stream was invalid, can be either upstream or downstream'],
      [{ type: 'latency', name: 'neg', attributes: { latency: -5 } }, 'bad request body: attributes.latency: must be 0 or more (milliseconds)'],
      [{ type: 'latency', name: 'frac', attributes: { latency: 1.5 } }, 'bad request body: attributes.latency: must be a whole number (milliseconds)'],
      [{ type: 'latency', name: 'str', attributes: { jitter: 'lots' } }, 'bad request body: attributes.jitter: must be a number (milliseconds)'],
      [{ type: 'latency', name: 'tox', toxicity: 2 }, 'bad request body: toxicity: must be from 0 to 1'],
      [{ type: 'latency', name: 'ttl', ttl: -1 }, 'bad request body: ttl: must be 1 or more (milliseconds)'],
      [{ type: 'bandwidth', name: 'bw', attributes: { rate: 'fast' } }, 'bad request body: attributes.rate: must be a number (KB/s)'],
      [{ type: 'slicer', name: 'sl', attributes: { average_size: 10, size_variation: 20 } }, 'bad request body: attributes.size_variation: must be smaller than average_size'],
      [{ type: 'slicer', name: 'sl2', attributes: {} }, 'bad request body: attributes.average_size: is required'],
      [{ type: 'http_error', name: 'he', attributes: { status: 200 } }, 'bad request body: attributes.status: must be an error status, 400 to 599'],
      [{ type: 'http_error', name: 'he2', attributes: { share: 1.5 } }, 'bad request body: attributes.share: must be from 0 to 1'],
      [{ type: 'http_error', name: 'he3', stream: 'downstream' }, /stream: http_error works on the upstream stream only/],
      [{ type: 'limit_data', name: 'ld', attributes: { bytes: -1 } }, 'bad request body: attributes.bytes: must be 0 or more (bytes)'],
    ];
    for (const [body, error] of cases) {
      const r = await call('POST', '/proxies/web/toxics', JSON.stringify(body));
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect((r.json as { error: string }).error).toMatch(error instanceof RegExp ? error : new RegExp(`^${error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect((r.json as { status: number }).status).toBe(400);
    }
    const badUpdate = await call('POST', '/proxies/web/toxics/slow_close_upstream', JSON.stringify({ attributes: { delay: -3 } }));
    expect(badUpdate).toMatchObject({ status: 400, json: { error: 'bad request body: attributes.delay: must be 0 or more (milliseconds)' } });
    expect((await call('GET', '/proxies/web/toxics')).json).toHaveLength(1);
  });

  it('disables and re-enables a proxy on the same port (POST and PATCH /proxies/{proxy})', async () => {
    const web = await client.get('web');
    const disabled = await web.update({ enabled: false, listen: web.listen, upstream: web.upstream });
    expect(disabled.enabled).toBe(false);
    expect(await accepts(web.listen)).toBe(false);
    const enabled = await call('PATCH', '/proxies/web', JSON.stringify({ enabled: true }));
    expect(enabled).toMatchObject({ status: 200, json: { enabled: true, listen: web.listen } });
    expect(await get(`http://${web.listen}/back`)).toEqual({ status: 200, body: 'upstream saw /back' });
    expect(await call('POST', '/proxies/web', '')).toMatchObject({ status: 400, json: { error: 'bad request body: EOF' } });
  });

  it('resets (204): every proxy enabled again and every toxic removed', async () => {
    const web = await client.get('web');
    await web.addToxic({ name: 'gone-after-reset', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } } as ICreateToxicBody<unknown>);
    await web.update({ enabled: false, listen: web.listen, upstream: web.upstream });
    await client.reset();
    const after = (await call('GET', '/proxies/web')).json as { enabled: boolean; toxics: unknown[] };
    expect(after.enabled).toBe(true);
    expect(after.toxics).toEqual([]);
    expect(await get(`http://${web.listen}/after-reset`)).toEqual({ status: 200, body: 'upstream saw /after-reset' });
    expect((await call('POST', '/reset')).status).toBe(204);
  });

  it('deletes a proxy (204), after which it is gone (404) and its port closed', async () => {
    const raw = await client.get('raw');
    await raw.remove();
    await expect(client.get('raw')).rejects.toThrow('status code 404');
    expect(await accepts(raw.listen)).toBe(false);
    expect((await call('DELETE', '/proxies/raw')).status).toBe(404);
  });

  it("refuses browsers as Toxiproxy does (403 for a Mozilla/ user agent)", async () => {
    const r = await call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(r.status).toBe(403);
  });

  it('announced every change to onChange listeners', () => {
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('proxy.created');
    expect(kinds).toContain('toxic.added');
    expect(kinds).toContain('toxic.updated');
    expect(kinds).toContain('proxy.updated');
    expect(kinds).toContain('proxy.deleted');
    expect(kinds).toContain('reset');
    const resetRemoval = events.find((e) => e.kind === 'toxic.removed' && e.toxic?.name === 'gone-after-reset');
    expect(resetRemoval).toMatchObject({ reason: 'reset', proxy: { name: 'web' } });
    const replaced = events.find((e) => e.kind === 'proxy.deleted' && e.reason === 'proxy.replaced');
    expect(replaced?.proxy?.name).toBe('db');
  });
});

describe('registerToxiproxyRoutes on an existing Fastify app', () => {
  it('serves the same API under a prefix', async () => {
    const app = Fastify();
    const proxy = new FaultProxy();
    registerToxiproxyRoutes(app, proxy, { prefix: '/toxiproxy' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/toxiproxy`;
      const prefixed = new Toxiproxy(base);
      const p = await prefixed.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: upstreamAddress });
      expect(await get(`http://${p.listen}/via-prefix`)).toEqual({ status: 200, body: 'upstream saw /via-prefix' });
      expect(JSON.parse(await prefixed.getVersion())).toHaveProperty('version');
      expect((await fetch(`${base}/proxies/none`)).status).toBe(404);
    } finally {
      await app.close();
      await proxy.close();
    }
  });
});
