import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyClient } from './dependencyClient.js';

// A cart lives on one cart host's disk: the lab's checkouts failed with
// "cart: empty" about one in ten times while two cart hosts took turns.
describe('DependencyClient', () => {
  const servers: Server[] = [];
  const direct: string[] = [];
  /** the same three hosts by other addresses, as a caller behind its own fault proxies sees them */
  const proxied: string[] = [];
  beforeAll(async () => {
    for (const list of [direct, proxied]) {
      for (let i = 0; i < 3; i++) {
        const s = createServer((_req, res) => res.end(JSON.stringify({ host: i })));
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
        servers.push(s);
        list.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
      }
    }
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('sends calls with the same affinity key to the same host, whatever address each caller reaches it by, and spreads the others', async () => {
    const frontend = new DependencyClient('cart', { endpoints: async () => direct, describe: () => 'test', close: () => undefined });
    // Checkout's addresses sort differently from the frontend's; the source's order (by host) is what counts.
    const checkout = new DependencyClient('cart', { endpoints: async () => proxied, describe: () => 'test', close: () => undefined });
    const hostFor = async (client: DependencyClient, user: string) => (await client.get<{ host: number }>('/cart', { affinity: user })).host;
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const first = await Promise.all(users.map((u) => hostFor(frontend, u)));
    expect(await Promise.all(users.map((u) => hostFor(checkout, u)))).toEqual(first);
    expect(await Promise.all(users.map((u) => hostFor(frontend, u)))).toEqual(first);
    expect(new Set(first).size).toBe(3);
    const roundRobin = await Promise.all(Array.from({ length: 6 }, async () => (await frontend.get<{ host: number }>('/x')).host));
    expect(new Set(roundRobin).size).toBe(3);
  });
});
