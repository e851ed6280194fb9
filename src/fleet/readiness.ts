import { setTimeout as sleep } from 'node:timers/promises';
import { runHealthCheck } from '../probes/healthCheck.js';
import type { HostPoolSpec } from './hostPoolKind.js';

/**
 * Waits until a new or repaired host answers its pool's readiness check
 * (HTTP path, else a TCP connect) or the time runs out. Returns why not.
 */
export async function waitUntilReady(address: string, readiness: HostPoolSpec['readiness'], signal?: AbortSignal): Promise<{ ready: boolean; summary: string }> {
  const deadline = Date.now() + readiness.within;
  let last = 'not checked';
  while (Date.now() < deadline && !signal?.aborted) {
    const check = readiness.http
      ? await runHealthCheck({ http: { url: `http://${address}${readiness.http.path}`, status: readiness.http.status, timeout: 1000 } })
      : await runHealthCheck({ tcp: { address, timeout: 1000 } });
    if (check.ok) return { ready: true, summary: check.summary };
    last = check.summary;
    await sleep(100);
  }
  return { ready: false, summary: `not ready within ${Math.round(readiness.within / 1000)}s: ${last}` };
}
