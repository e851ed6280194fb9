import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';

export interface ChaosProxyFigures {
  ratePerSecond: number;
  secondsPerRound: number;
  rounds: number;
  direct: { requests: number; errors: number; achievedPerSecond: number; p50Ms: number; p99Ms: number };
  proxied: { requests: number; errors: number; achievedPerSecond: number; p50Ms: number; p99Ms: number };
  /** A bare Node relay (socket.pipe both ways): the floor of any userland TCP proxy on this machine. */
  relay: { requests: number; errors: number; achievedPerSecond: number; p50Ms: number; p99Ms: number };
  addedP50Ms: number;
  addedP99Ms: number;
}

/**
 * Starts code in a worker thread (its own event loop, as a separate process
 * would have) and waits for the port it reports.
 */
function startWorker(code: string, data: Record<string, unknown>): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(code, { eval: true, workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (port: number) => resolve({ worker, port }));
    worker.once('error', reject);
  });
}

const SERVER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = createServer((req, res) => res.end('{"ok":true}'));
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

const PROXY = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(async ({ FaultProxy }) => {
  const proxy = new FaultProxy();
  const p = await proxy.createProxy({ name: 'bench', upstream: '127.0.0.1:' + workerData.upstreamPort });
  parentPort.postMessage(Number(p.listen.split(':').pop()));
});
`;

const RELAY = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({ host: '127.0.0.1', port: workerData.upstreamPort, noDelay: true });
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** An open-loop load: a request every 1/rate s whether or not earlier ones have answered. */
async function load(port: number, rate: number, seconds: number): Promise<{ times: number[]; errors: number; achieved: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const times: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  const one = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          times.push(performance.now() - start);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
    while (sent < due) {
      inflight.push(one());
      sent++;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + sent * interval - performance.now())));
  }
  await Promise.all(inflight);
  const achieved = total / ((performance.now() - t0) / 1000);
  agent.destroy();
  return { times, errors, achieved };
}

/**
 * The same HTTP workload (small GETs at `rate`/s over keep-alive connections)
 * direct to a server and through the fault proxy with no toxic, in
 * alternating rounds of the same run. Server, proxy and load generator each
 * run on their own thread.
 */
export async function chaosProxyBench(opts: { rate: number; secondsPerRound: number; rounds: number }): Promise<ChaosProxyFigures> {
  const server = await startWorker(SERVER, {});
  const proxy = await startWorker(PROXY, { module: new URL('../src/chaos/proxy/index.js', import.meta.url).href, upstreamPort: server.port });
  const relay = await startWorker(RELAY, { upstreamPort: server.port });
  try {
    await load(server.port, opts.rate, 1); // warm-up, not measured
    await load(proxy.port, opts.rate, 1);
    await load(relay.port, opts.rate, 1);
    const direct = { times: [] as number[], errors: 0, achieved: [] as number[] };
    const proxied = { times: [] as number[], errors: 0, achieved: [] as number[] };
    const relayed = { times: [] as number[], errors: 0, achieved: [] as number[] };
    for (let round = 0; round < opts.rounds; round++) {
      for (const [port, into] of [
        [server.port, direct],
        [proxy.port, proxied],
        [relay.port, relayed],
      ] as const) {
        const r = await load(port, opts.rate, opts.secondsPerRound);
        into.times.push(...r.times);
        into.errors += r.errors;
        into.achieved.push(r.achieved);
      }
    }
    const figures = (x: typeof direct) => {
      const sorted = [...x.times].sort((a, b) => a - b);
      return { requests: sorted.length, errors: x.errors, achievedPerSecond: x.achieved.reduce((a, b) => a + b, 0) / x.achieved.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
    };
    const d = figures(direct);
    const p = figures(proxied);
    return { ratePerSecond: opts.rate, secondsPerRound: opts.secondsPerRound, rounds: opts.rounds, direct: d, proxied: p, relay: figures(relayed), addedP50Ms: p.p50Ms - d.p50Ms, addedP99Ms: p.p99Ms - d.p99Ms };
  } finally {
    await relay.worker.terminate();
    await proxy.worker.terminate();
    await server.worker.terminate();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function chaosProxySection(f: ChaosProxyFigures, machine: string): string {
  const row = (name: string, x: ChaosProxyFigures['direct']) => `| ${name} | ${fmt(x.requests)} | ${x.errors} | ${fmt(x.achievedPerSecond)} | ${fmt(x.p50Ms, 3)} | ${fmt(x.p99Ms, 3)} |`;
  return `## chaos: fault proxy overhead

Small HTTP GETs (an 11-byte JSON answer) at ${fmt(f.ratePerSecond)} requests/s, open loop over keep-alive connections (Node's \`http.Agent\`, up to 64 sockets), direct to a Node HTTP server, through the fault proxy (\`src/chaos/proxy\`) with no toxic, and through a bare Node relay (\`socket.pipe\` both ways, the floor of any userland proxy in Node), in ${f.rounds} alternating rounds of ${f.secondsPerRound} s each in the same run. The server, the proxy and the load generator each run on their own thread. Times are from sending a request to the last byte of its answer. Toxiproxy's README quotes "< 100µs" added with no toxic on its hardware; it is not run here (no Go toolchain or binary on the machine).

Run ${new Date().toISOString()} on ${machine}.

| path | requests | errors | achieved (req/s) | p50 (ms) | p99 (ms) |
|---|---:|---:|---:|---:|---:|
${row('direct', f.direct)}
${row('through the proxy, no toxic', f.proxied)}
${row('through a bare Node relay', f.relay)}

**Added by the proxy: ${fmt(f.addedP50Ms, 3)} ms at p50, ${fmt(f.addedP99Ms, 3)} ms at p99** (ratio proxied / direct: ${fmt(f.proxied.p50Ms / f.direct.p50Ms, 2)} at p50, ${fmt(f.proxied.p99Ms / f.direct.p99Ms, 2)} at p99). Goal: at most 1 ms added at p99 (${f.addedP99Ms <= 1 ? 'met' : 'not met'}). The bare relay added ${fmt(f.relay.p50Ms - f.direct.p50Ms, 3)} ms at p50 and ${fmt(f.relay.p99Ms - f.direct.p99Ms, 3)} ms at p99 in the same run; on this 2-core machine three busy threads (and anything else running) share the cores, so the p99 figures move by about a millisecond from run to run.
`;
}
