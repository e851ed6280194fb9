import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batches, drive } from './intakeBench.js';
import { alertmanagerBinary, percentile, startAlertmanager, startProdeng, type Target } from './peers.js';

export interface FilterQuery {
  /** what the row in the table says */
  label: string;
  matcher: string;
}

export interface FilterFigures {
  query: string;
  prodengFirstPageP50Ms: number;
  prodengFirstPageP99Ms: number;
  /** following nextCursor until null: the whole answer */
  prodengAllPagesP50Ms: number;
  prodengRequestsForAll: number;
  prodengMatches: number;
  alertmanagerP50Ms: number;
  alertmanagerP99Ms: number;
  alertmanagerMatches: number;
}

export interface FilterWorkload {
  alerts: number;
  repeats: number;
  queries: FilterQuery[];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function prodengAll(target: Target, matcher: string): Promise<{ requests: number; matches: number }> {
  let before: number | null = null;
  let requests = 0;
  let matches = 0;
  do {
    const q = new URLSearchParams({ limit: '1000' });
    q.append('match[]', matcher);
    if (before !== null) q.set('before', String(before));
    const page = await getJson(`${target.url}/api/v1/alerts?${q}`);
    requests++;
    matches += page.alerts.length;
    before = page.nextCursor;
  } while (before !== null);
  return { requests, matches };
}

/** The same alerts in prodeng (SQLite) and Alertmanager, then the same label filters asked of each. */
export async function alertFilterBench(repoRoot: string, w: FilterWorkload): Promise<FilterFigures[]> {
  const binary = alertmanagerBinary();
  if (!binary) throw new Error('Alertmanager is not installed (apt-get install prometheus-alertmanager); the benchmark compares against it');
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-bench-filter-'));
  const bodies = batches({ alerts: w.alerts, batchSize: 100, senders: 8 }, 'filter');
  const prodeng = await startProdeng(repoRoot, join(dir, 'prodeng-data'));
  const am = await startAlertmanager(binary, dir);
  try {
    await drive(prodeng, bodies, 8);
    await drive(am, bodies, 8);
    const figures: FilterFigures[] = [];
    for (const query of w.queries) {
      const first: number[] = [];
      const all: number[] = [];
      const peer: number[] = [];
      let requests = 0;
      let matches = 0;
      let peerMatches = 0;
      for (let i = 0; i < w.repeats; i++) {
        const q = new URLSearchParams({ limit: '100' });
        q.append('match[]', query.matcher);
        first.push((await timed(() => getJson(`${prodeng.url}/api/v1/alerts?${q}`))).ms);
        const whole = await timed(() => prodengAll(prodeng, query.matcher));
        all.push(whole.ms);
        ({ requests, matches } = whole.value);
        const am2 = await timed(() => getJson(`${am.url}/api/v2/alerts?${new URLSearchParams({ filter: query.matcher })}`));
        peer.push(am2.ms);
        peerMatches = (am2.value as unknown[]).length;
      }
      figures.push({
        query: query.label,
        prodengFirstPageP50Ms: percentile(first, 0.5),
        prodengFirstPageP99Ms: percentile(first, 0.99),
        prodengAllPagesP50Ms: percentile(all, 0.5),
        prodengRequestsForAll: requests,
        prodengMatches: matches,
        alertmanagerP50Ms: percentile(peer, 0.5),
        alertmanagerP99Ms: percentile(peer, 0.99),
        alertmanagerMatches: peerMatches,
      });
    }
    return figures;
  } finally {
    await prodeng.stop();
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
