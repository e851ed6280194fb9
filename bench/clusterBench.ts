import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { discoveredEndpoints } from '../src/lab/shop/discovery.js';
import { startLoadGenerator, type LoadResult } from '../src/lab/shop/loadGenerator.js';
import { percentile, startProdeng } from './peers.js';

/** Shop requests over one phase; a checkout that finds its cart empty is counted apart (carts live on the cart hosts' disks). */
export interface Traffic {
  sent: number;
  failed: number;
  /** of the failed: checkouts answered 400 "cart: empty" because the user's cart was on a cart host that joined or left */
  emptyCart: number;
  firstFailures: string[];
}

export interface ClusterRound {
  /** POST up to the operation done: nine pools, each healthy before the next */
  turnUpMs: number;
  /** POST migrate to done: frontend-b filled and healthy, the old frontend drained and decommissioned */
  migrateMs: number;
  /** moving the frontend back to cluster lab */
  migrateBackMs: number;
  turnDownMs: number;
  order: string[];
  duringTurnUp: Traffic;
  /** both moves, from 2 s before the first to 2 s after the second */
  duringMoves: Traffic;
  duringTurnDown: Traffic;
}

export interface ClusterFigures {
  rounds: ClusterRound[];
  loadRate: number;
}

interface View {
  state: string;
  pools: Array<{ name: string; state: string; healthy: number; capacity: number }>;
  operation: { kind: string; state: string; error: string | null; startedAt: string; finishedAt: string | null } | null;
}

/**
 * The lab as `prodeng lab` runs it (its own process, SQLite, examples/lab
 * unchanged), shop traffic finding its frontends through discovery as the
 * shop does; then, per round, cluster lab-b turned up from nothing, the
 * frontend moved to it and back, and lab-b turned down, each timed from its
 * POST until the operation reports done.
 */
export async function clusterBench(repoRoot: string, opts: { rounds: number; loadRate: number }): Promise<ClusterFigures> {
  const data = mkdtempSync(join(tmpdir(), 'prodeng-cluster-bench-'));
  const prodeng = await startProdeng(repoRoot, join(data, 'data'), ['--config', join(repoRoot, 'examples', 'lab')]);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${prodeng.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.error?.message ?? ''}`);
    return json;
  };
  const timed = async (path: string, body: unknown, cluster: string): Promise<{ ms: number; view: View }> => {
    const started = Date.now();
    await call('POST', path, body);
    for (;;) {
      const view = await call<View>('GET', `/api/v1/clusters/${cluster}`);
      if (view.operation && view.operation.state !== 'running') {
        if (view.operation.state !== 'done') throw new Error(`${path}: ${view.operation.error}`);
        return { ms: Date.now() - started, view };
      }
      await sleep(50);
    }
  };
  try {
    const deadline = Date.now() + 60_000;
    while ((await call<{ hosts: unknown[] }>('GET', '/api/v1/hosts?state=in_service')).hosts.length < 18) {
      if (Date.now() > deadline) throw new Error('the lab did not come up within 60 s');
      await sleep(250);
    }
    // The shop's hosts poll discovery every second: give the ones that started before their dependencies time to see them.
    await sleep(3000);
    const discovery = discoveredEndpoints({ baseUrl: prodeng.url, service: 'frontend' });
    let frontends: string[] = [];
    const refresh = setInterval(() => void discovery.endpoints().then((l) => (frontends = l), () => undefined), 100);
    while (frontends.length === 0) await sleep(100);
    const rounds: ClusterRound[] = [];
    try {
      for (let i = 0; i < opts.rounds; i++) {
        const phase = async (work: () => Promise<void>): Promise<Traffic> => {
          const failures: LoadResult[] = [];
          let sent = 0;
          const load = startLoadGenerator({ frontendUrls: () => frontends, ratePerSecond: opts.loadRate, onResult: (r) => (sent++, r.ok || failures.push(r)) });
          await sleep(2000);
          await work();
          await sleep(2000);
          await load.stop();
          const emptyCart = failures.filter((r) => r.kind === 'checkout' && r.status === 400 && /cart: empty/.test(r.error ?? '')).length;
          return { sent, failed: failures.length, emptyCart, firstFailures: failures.filter((r) => !(r.kind === 'checkout' && r.status === 400 && /cart: empty/.test(r.error ?? ''))).slice(0, 3).map((f) => `${f.kind} ${f.status ?? ''} ${(f.error ?? '').slice(0, 120)}`.trim()) };
        };
        let up!: { ms: number; view: View };
        let migrate!: { ms: number; view: View };
        let back!: { ms: number; view: View };
        let down!: { ms: number; view: View };
        const duringTurnUp = await phase(async () => void (up = await timed('/api/v1/clusters/lab-b/up', { reason: 'benchmark' }, 'lab-b')));
        const duringMoves = await phase(async () => {
          migrate = await timed('/api/v1/services/frontend/migrate', { to: 'lab-b', reason: 'benchmark' }, 'lab-b');
          await sleep(2000);
          back = await timed('/api/v1/services/frontend/migrate', { to: 'lab', reason: 'benchmark' }, 'lab');
        });
        const duringTurnDown = await phase(async () => void (down = await timed('/api/v1/clusters/lab-b/down', { reason: 'benchmark' }, 'lab-b')));
        rounds.push({ turnUpMs: up.ms, migrateMs: migrate.ms, migrateBackMs: back.ms, turnDownMs: down.ms, order: up.view.pools.map((p) => p.name), duringTurnUp, duringMoves, duringTurnDown });
      }
    } finally {
      clearInterval(refresh);
      discovery.close();
    }
    return { rounds, loadRate: opts.loadRate };
  } finally {
    await prodeng.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const traffic = (t: Traffic) => `${fmt(t.sent)} / **${t.failed}**${t.emptyCart ? ` (${t.emptyCart} empty cart)` : ''}`;

export function clusterSection(f: ClusterFigures, machine: string): string {
  const rows = f.rounds.map((r, i) => `| ${i + 1} | ${fmt(r.turnUpMs / 1000, 1)} | ${traffic(r.duringTurnUp)} | ${fmt(r.migrateMs / 1000, 1)} | ${fmt(r.migrateBackMs / 1000, 1)} | ${traffic(r.duringMoves)} | ${fmt(r.turnDownMs / 1000, 1)} | ${traffic(r.duringTurnDown)} |`);
  const other = f.rounds.flatMap((r) => [r.duringTurnUp, r.duringMoves, r.duringTurnDown]).flatMap((t) => t.firstFailures);
  const median = (pick: (r: ClusterRound) => number) => fmt(percentile(f.rounds.map(pick), 0.5) / 1000, 1);
  return `## fleet: cluster turn-up and migration

\`prodeng lab\` as a person starts it (its own process on SQLite, \`examples/lab\` unchanged): the shop's nine services in cluster \`lab\`, and cluster \`lab-b\` (\`examples/lab/clusters.yaml\`, nine pools of two hosts, \`initialState: down\`) empty. Shop traffic (the lab's load generator, ${f.loadRate} requests/s of browse, add to cart and checkout) finds its frontends through discovery, polled every second as the shop polls it. Each round, through the API only: \`POST /api/v1/clusters/lab-b/up\` (turn-up from nothing, one pool at a time in dependency order, each with its two hosts in service, passing readiness and probes, before the next starts); \`POST /api/v1/services/frontend/migrate {to: lab-b}\` (fill frontend-b, wait healthy, drain frontend: out of discovery, serving on for the cluster's 2.5 s drainWait, decommissioned) and the move back; \`POST /api/v1/clusters/lab-b/down\` (reverse order, each pool drained the same way). Each time runs from the POST until \`GET /api/v1/clusters/NAME\` reports the operation done. Requests are counted per phase, from 2 s before its first POST to 2 s after it ends, as sent / **failed**. No peer is named for this workload.

Turn-up order: ${f.rounds[0]?.order.join(' → ') ?? 'not measured'}.

Run ${new Date().toISOString()} on ${machine}.

| round | turn-up of 9 services (s) | requests during turn-up | migrate frontend to lab-b (s) | and back (s) | requests during both moves | turn-down (s) | requests during turn-down |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Medians: turn-up ${median((r) => r.turnUpMs)} s, migration ${median((r) => r.migrateMs)} s, turn-down ${median((r) => r.turnDownMs)} s. A migration is mostly the drain wait (2.5 s, so callers that poll discovery every second have moved before a host stops) after the new pool's start; a turn-down is nine such waits, one pool after the other. "Empty cart": the shop keeps each cart on the disk of the cart host its user maps to, so when cart-b's hosts join or leave discovery some users map to another host and their next checkout finds no cart (400). That is the shop's data not moving with its hosts, not a request reaching a stopped host; moving stateful data between clusters is not part of a migration here.${other.length ? ` Other failures: ${other.slice(0, 5).join('; ')}.` : ''}
`;
}
