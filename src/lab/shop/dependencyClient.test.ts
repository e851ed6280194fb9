import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyClient } from './dependencyClient.js';

// A cart lives on one cart host's disk: the lab's checkouts failed with
// "cart: empty" about one in ten times while two cart hosts took turns.
describe('DependencyClient', () => {
  const servers: Server[] = [];
  const urls: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const s = createServer((_req, res) => res.end(JSON.stringify({ host: i })));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
      urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    }
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('sends calls with the same affinity key to the same endpoint, whatever order discovery lists them in, and spreads the others', async () => {
    let order = [...urls];
    const client = new DependencyClient('cart', { endpoints: async () => order, describe: () => 'test', close: () => undefined });
    const hostFor = async (user: string) => ((await client.get<{ host: number }>('/cart', { affinity: user })).host);
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const first = await Promise.all(users.map(hostFor));
    order = [...urls].reverse();
    expect(await Promise.all(users.map(hostFor))).toEqual(first);
    expect(new Set(first).size).toBe(3);
    const roundRobin = await Promise.all(Array.from({ length: 6 }, async () => (await client.get<{ host: number }>('/x')).host));
    expect(new Set(roundRobin).size).toBe(3);
  });
});
