import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, startProdeng } from './peers.js';

export interface ReplacementFigures {
  crashes: number;
  replaced: number;
  /** crash to the replacement listed in discovery */
  crashToServingP50: number;
  crashToServingP99: number;
  /** the probe alert firing (failure threshold reached) to the replacement listed */
  thresholdToServingP50: number;
  thresholdToServingP99: number;
  thresholdToServingMax: number;
  probeIntervalMs: number;
  failureThreshold: number;
}

interface Endpoint {
  host: string;
  address: string;
}

/**
 * Crashes shop hosts in the lab one a second, round the nine services, and
 * times each crash until a replacement is listed by discovery (healthy, in
 * service). The lab's own config, with the runbook's rate limit, cooldown
 * and attempt budget opened so fifty crashes in a minute are all acted on.
 */
export async function fleetReplacement(repoRoot: string, crashes: number): Promise<ReplacementFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-replacement-'));
  cpSync(join(repoRoot, 'examples', 'lab'), dir, { recursive: true });
  // Each host is crashed every ~18 s here, far more often than the lab's
  // per-host cooldown and attempt budget allow; those gates have their own tests.
  const healing = readFileSync(join(dir, 'healing.yaml'), 'utf8')
    .replace('rateLimit: { count: 10, per: 1m }', 'rateLimit: { count: 1000, per: 1m }')
    .replace('cooldown: 2m', 'cooldown: 1s')
    .replace('stormCooldown: 30s', 'stormCooldown: 1s')
    .replace('maxAttempts: { count: 3, within: 30m }', 'maxAttempts: { count: 1000, within: 30m }');
  writeFileSync(join(dir, 'healing.yaml'), healing);
  const prodeng = await startProdeng(repoRoot, join(dir, 'data'), ['--config', dir]);
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${prodeng.url}${path}`)).json()) as T;
  const endpoints = async (service: string) => (await get<{ endpoints: Endpoint[] }>(`/api/v1/services/${service}/endpoints`)).endpoints;
  const services = ['frontend', 'catalog', 'cart', 'checkout', 'payment', 'shipping', 'currency', 'recommendation', 'ad'];
  try {
    const deadline = Date.now() + 60_000;
    while ((await get<{ hosts: unknown[] }>('/api/v1/hosts?state=in_service')).hosts.length < 18) {
      if (Date.now() > deadline) throw new Error('the lab did not come up within 60 s');
      await sleep(200);
    }
    await sleep(3000);
    const results: Array<{ victim: string; crashAt: number; servingAt: number | null }> = [];
    const watchers: Promise<void>[] = [];
    for (let i = 0; i < crashes; i++) {
      const service = services[i % services.length]!;
      let before = await endpoints(service);
      for (let wait = 0; before.length < 2 && wait < 200; wait++) {
        await sleep(100);
        before = await endpoints(service);
      }
      const victim = before[0]!;
      const crashAt = Date.now();
      await fetch(`http://${victim.address}/_lab/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fault":"crash"}' }).catch(() => undefined);
      const result = { victim: victim.host, crashAt, servingAt: null as number | null };
      results.push(result);
      const known = new Set(before.map((e) => e.host));
      watchers.push(
        (async () => {
          const until = crashAt + 30_000;
          while (Date.now() < until) {
            const now = await endpoints(service);
            if (!now.some((e) => e.host === victim.host) && now.some((e) => !known.has(e.host))) {
              result.servingAt = Date.now();
              return;
            }
            await sleep(25);
          }
        })(),
      );
      await sleep(1000);
    }
    await Promise.all(watchers);
    const alerts = (await get<{ alerts: Array<{ labels: Record<string, string>; startsAt: string }> }>('/api/v1/alerts?limit=1000')).alerts;
    // A host may be crashed several times: its alert for a crash is the first to fire after it.
    const firedAfter = (host: string, at: number) =>
      Math.min(...alerts.filter((a) => a.labels.alertname === 'ProbeFailed' && a.labels.host === host && Date.parse(a.startsAt) >= at).map((a) => Date.parse(a.startsAt)));
    const done = results.filter((r) => r.servingAt !== null);
    const fromThreshold = done.map((r) => r.servingAt! - firedAfter(r.victim, r.crashAt)).filter(Number.isFinite);
    const fromCrash = done.map((r) => r.servingAt! - r.crashAt);
    return {
      crashes,
      replaced: done.length,
      crashToServingP50: percentile(fromCrash, 0.5),
      crashToServingP99: percentile(fromCrash, 0.99),
      thresholdToServingP50: percentile(fromThreshold, 0.5),
      thresholdToServingP99: percentile(fromThreshold, 0.99),
      thresholdToServingMax: Math.max(...fromThreshold),
      probeIntervalMs: 2000,
      failureThreshold: 2,
    };
  } finally {
    await prodeng.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
