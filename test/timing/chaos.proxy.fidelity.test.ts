import { Agent, createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/chaos/proxy/index.js';

// Measured on loopback, against a small real HTTP server, with real sockets.

let server: Server;
let serverPort: number;
const proxy = new FaultProxy();
let proxyPort: number;
const BIG = Buffer.alloc(2_000_000, 7);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') res.end(BIG);
    else res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as { port: number }).port;
  const p = await proxy.createProxy({ name: 'http', upstream: `127.0.0.1:${serverPort}` });
  proxyPort = Number(p.listen.split(':').pop());
});

afterAll(async () => {
  await proxy.close();
  server.close();
});

/** One GET; resolves with its duration in ms (from the call to the last byte) and the bytes received. */
function timedGet(port: number, path: string, agent: Agent | false): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` requests, `concurrency` at a time, over keep-alive connections. */
async function run(port: number, count: number, concurrency: number, path = '/'): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        times.push((await timedGet(port, path, agent)).ms);
      }
    }),
  );
  agent.destroy();
  return times;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const tolerance = (set: number) => Math.max(0.05 * set, 2);

describe('fault proxy fidelity on loopback', () => {
  it('adds the set latency within ±5% (or 2 ms) over 1,000 requests, median and mean', async () => {
    // 10 requests in flight: enough to finish in ~5 s, few enough that the direct baseline is not queueing.
    await run(serverPort, 200, 10); // warm up
    const direct = await run(serverPort, 1000, 10);
    proxy.addToxic('http', { name: 'latency', type: 'latency', attributes: { latency: 50 } });
    try {
      const through = await run(proxyPort, 1000, 10);
      const addedMedian = median(through) - median(direct);
      const addedMean = mean(through) - mean(direct);
      console.log(`latency 50 ms: added median ${addedMedian.toFixed(2)} ms, mean ${addedMean.toFixed(2)} ms (direct median ${median(direct).toFixed(2)} ms)`);
      expect(Math.abs(addedMedian - 50)).toBeLessThanOrEqual(tolerance(50));
      expect(Math.abs(addedMean - 50)).toBeLessThanOrEqual(tolerance(50));
      expect(through.length).toBe(1000);
    } finally {
      proxy.removeToxic('http', 'latency');
    }
  });

  it('latency with jitter spreads each response within latency ± jitter', async () => {
    proxy.addToxic('http', { name: 'jittery', type: 'latency', attributes: { latency: 40, jitter: 20 } });
    try {
      const direct = await run(serverPort, 400, 10);
      const through = await run(proxyPort, 400, 10);
      const added = through.map((t) => t - median(direct));
      // Each chunk draws its own delay and chunks stay in order, so a response that arrives in
      // two chunks takes the later of two draws: the mean sits at or a little above 40.
      expect(mean(added)).toBeGreaterThan(37);
      expect(mean(added)).toBeLessThan(48);
      expect(Math.min(...added)).toBeLessThan(28);
      expect(Math.max(...added)).toBeGreaterThan(52);
      expect(Math.min(...added)).toBeGreaterThan(18);
      expect(Math.max(...added)).toBeLessThan(70);
    } finally {
      proxy.removeToxic('http', 'jittery');
    }
  });

  it('limits bandwidth within ±10% of the set rate moving 2 MB', async () => {
    const direct = await timedGet(serverPort, '/big', false);
    proxy.addToxic('http', { name: 'bw', type: 'bandwidth', attributes: { rate: 1000 } }); // 1,000 KB/s: 2 s for 2 MB
    try {
      const through = await timedGet(proxyPort, '/big', false);
      expect(through.bytes).toBe(BIG.length);
      const seconds = (through.ms - direct.ms) / 1000;
      const rateKBps = BIG.length / 1000 / seconds;
      console.log(`bandwidth 1000 KB/s: measured ${rateKBps.toFixed(1)} KB/s over ${BIG.length} bytes (${seconds.toFixed(3)} s)`);
      expect(rateKBps).toBeGreaterThanOrEqual(900);
      expect(rateKBps).toBeLessThanOrEqual(1100);
    } finally {
      proxy.removeToxic('http', 'bw');
    }
  });

  it('toxicity 0 affects no connection', async () => {
    proxy.addToxic('http', { name: 'never', type: 'latency', toxicity: 0, attributes: { latency: 300 } });
    try {
      const times = await Promise.all(Array.from({ length: 50 }, () => timedGet(proxyPort, '/', false)));
      expect(times.filter((t) => t.ms >= 150)).toEqual([]);
    } finally {
      proxy.removeToxic('http', 'never');
    }
  });

  it('toxicity 0.5 affects about half of the connections, each wholly or not at all', async () => {
    proxy.addToxic('http', { name: 'half', type: 'latency', toxicity: 0.5, attributes: { latency: 100 } });
    try {
      const n = 200;
      const slow: boolean[] = [];
      // Each connection carries two requests: a connection drawn for the toxic is slow both times.
      for (let batch = 0; batch < n / 20; batch++) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const agent = new Agent({ keepAlive: true, maxSockets: 1 });
            const a = await timedGet(proxyPort, '/', agent);
            const b = await timedGet(proxyPort, '/', agent);
            agent.destroy();
            expect(a.ms >= 90).toBe(b.ms >= 90);
            slow.push(a.ms >= 90);
          }),
        );
      }
      const affected = slow.filter(Boolean).length;
      console.log(`toxicity 0.5: ${affected} of ${n} connections slowed`);
      // Binomial(200, 0.5): sd ≈ 7.1; ±30 is over 4 sd.
      expect(affected).toBeGreaterThanOrEqual(70);
      expect(affected).toBeLessThanOrEqual(130);
    } finally {
      proxy.removeToxic('http', 'half');
    }
  });
});
