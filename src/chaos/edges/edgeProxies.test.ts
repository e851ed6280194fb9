import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../proxy/index.js';
import { EdgeProxies } from './edgeProxies.js';

// Real upstreams and real TCP proxies: the edge's calls go through the proxy, and a toxic on the edge reaches them.
let upstreams: Server[] = [];
const addresses: string[] = [];

beforeAll(async () => {
  for (const name of ['cart-1', 'cart-2', 'cart-3']) {
    const server = createServer((_req, res) => res.end(name));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    upstreams.push(server);
    addresses.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  for (const s of upstreams) await new Promise((r) => s.close(r));
  upstreams = [];
});

let faultProxy: FaultProxy;
afterEach(async () => faultProxy?.close());

const get = async (address: string, timeoutMs = 1000): Promise<string> => {
  const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(timeoutMs) });
  return res.text();
};

describe('EdgeProxies', () => {
  it('routes a named caller through one proxy per endpoint, and leaves services without faultProxy alone', async () => {
    faultProxy = new FaultProxy();
    const edges = new EdgeProxies(faultProxy, new Set(['cart']));
    expect(edges.takesProxy('cart')).toBe(true);
    expect(edges.takesProxy('ad')).toBe(false);
    const routed = await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }, { host: 'cart-2', address: addresses[1]! }], 1000);
    expect(routed.map((r) => [r.host, r.proxy, r.upstream])).toEqual([
      ['cart-1', 'frontend~cart-1', addresses[0]],
      ['cart-2', 'frontend~cart-2', addresses[1]],
    ]);
    expect(routed[0]!.address).not.toBe(addresses[0]);
    expect(await get(routed[0]!.address)).toBe('cart-1');
    expect(await get(routed[1]!.address)).toBe('cart-2');
    // The same answer on the next poll: same proxies, same ports.
    const again = await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }, { host: 'cart-2', address: addresses[1]! }], 2000);
    expect(again.map((r) => r.address)).toEqual(routed.map((r) => r.address));
    expect(edges.observedEdges()).toEqual([{ caller: 'frontend', callee: 'cart', lastSeenAt: 2000 }]);
  });

  it('puts an edge toxic on every proxy of the edge, on a replacement host too, and on no other edge', async () => {
    faultProxy = new FaultProxy();
    const edges = new EdgeProxies(faultProxy, new Set(['cart']));
    const [a] = await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }], 1000);
    const [other] = await edges.route('checkout', 'cart', [{ host: 'cart-1', address: addresses[0]! }], 1000);
    const added = edges.addToxic('frontend', 'cart', { type: 'http_error', attributes: { status: 503 } });
    expect(added).toMatchObject({ name: 'http_error_edge', proxies: ['frontend~cart-1'] });
    const res = await fetch(`http://${a!.address}/`);
    expect(res.status).toBe(503);
    // checkout's edge to the same host is untouched
    expect(await get(other!.address)).toBe('cart-1');
    // cart-1 replaced by cart-3 while the toxic is on: the new proxy carries it
    const [replacement] = await edges.route('frontend', 'cart', [{ host: 'cart-3', address: addresses[2]! }], 2000);
    expect((await fetch(`http://${replacement!.address}/`)).status).toBe(503);
    edges.removeToxic('frontend', 'cart', 'http_error_edge');
    expect(await get(replacement!.address)).toBe('cart-3');
    expect(await get(a!.address)).toBe('cart-1');
    expect(edges.activeToxics('frontend', 'cart')).toEqual([]);
  });

  it('refuses a toxic on an edge nobody has used or a service without a proxy, with what to do', async () => {
    faultProxy = new FaultProxy();
    const edges = new EdgeProxies(faultProxy, new Set(['cart']));
    expect(() => edges.addToxic('frontend', 'cart', { type: 'blackhole' })).toThrow(/no traffic from frontend to cart seen yet/);
    expect(() => edges.addToxic('frontend', 'ad', { type: 'blackhole' })).toThrow(/set faultProxy: true on Service ad/);
    await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }], 1000);
    edges.addToxic('frontend', 'cart', { type: 'blackhole' });
    expect(() => edges.addToxic('frontend', 'cart', { type: 'blackhole' })).toThrow(/already on the edge/);
    await expect(get(edges.proxiesOf('frontend', 'cart').map((n) => faultProxy.getProxy(n).listen)[0]!, 300)).rejects.toThrow();
  });

  it('forgets the toxics Toxiproxy reset removed, so a new proxy does not bring them back', async () => {
    faultProxy = new FaultProxy();
    const edges = new EdgeProxies(faultProxy, new Set(['cart']));
    await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }], 1000);
    edges.addToxic('frontend', 'cart', { type: 'blackhole' });
    await faultProxy.reset();
    const [fresh] = await edges.route('frontend', 'cart', [{ host: 'cart-2', address: addresses[1]! }], 2000);
    expect(await get(fresh!.address)).toBe('cart-2');
  });

  it('drops the proxy of a host discovery stopped listing, after callers had time to move', async () => {
    faultProxy = new FaultProxy();
    const edges = new EdgeProxies(faultProxy, new Set(['cart']));
    await edges.route('frontend', 'cart', [{ host: 'cart-1', address: addresses[0]! }], 0);
    await edges.route('frontend', 'cart', [{ host: 'cart-2', address: addresses[1]! }], 10_000);
    expect(faultProxy.listProxies().map((p) => p.name).sort()).toEqual(['frontend~cart-1', 'frontend~cart-2']);
    await edges.route('frontend', 'cart', [{ host: 'cart-2', address: addresses[1]! }], 31_000);
    expect(faultProxy.listProxies().map((p) => p.name)).toEqual(['frontend~cart-2']);
  });
});
