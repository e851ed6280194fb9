import type { DbOrTx } from '../store/store.js';
import { listHosts } from '../fleet/hosts.js';

export const LAB_SCENARIOS = ['crash', 'hang', 'slow', 'errors', 'disk-full', 'leak'] as const;
export type LabScenario = (typeof LAB_SCENARIOS)[number];

export interface LabFault {
  scenario: LabScenario;
  service: string;
  host?: string | undefined;
  ms?: number | undefined;
  path?: string | undefined;
  share?: number | undefined;
  mbPerSecond?: number | undefined;
}

export type BreakResult =
  | { ok: true; host: string; scenario: LabScenario; effect: unknown }
  | { ok: false; status: 400 | 404 | 502; code: 'invalid_request' | 'host_not_found' | 'host_unreachable'; message: string };

/** The in-service lab hosts of a service (only hosts prodeng runs, a pool's, are touched). */
export async function labHostsOf(db: DbOrTx, service: string, host?: string) {
  return (await listHosts(db, { service, state: 'in_service' })).filter((h) => h.pool && h.address && (!host || h.name === host));
}

/** Sends a fault (POST) or clears a host's faults (DELETE) through the shop process's own fault API. */
export async function sendLabFault(address: string, method: 'POST' | 'DELETE', body?: unknown) {
  try {
    const res = await fetch(`http://${address}/_lab/faults`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : null,
      signal: AbortSignal.timeout(3000),
    });
    return { status: res.status, answer: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } catch (err) {
    return { status: 0, answer: { error: (err as Error).message } };
  }
}

/** A real fault in a real shop process: the named host, or the service's first. */
export async function breakLabHost(db: DbOrTx, fault: LabFault): Promise<BreakResult> {
  const { scenario, service, host, ...params } = fault;
  const target = (await labHostsOf(db, service, host))[0];
  if (!target) return { ok: false, status: 404, code: 'host_not_found', message: host ? `no in-service lab host ${host} in service ${service}` : `service ${service} has no in-service lab host` };
  const body = { fault: scenario, ...params, ...(scenario === 'leak' && params.mbPerSecond === undefined ? { mbPerSecond: 5 } : {}) };
  const sent = await sendLabFault(target.address!, 'POST', JSON.parse(JSON.stringify(body)));
  // A hung host may not answer the request that hung it.
  if (sent.status === 0 && scenario === 'hang') return { ok: true, host: target.name, scenario, effect: 'the host stopped answering' };
  if (sent.status === 400) return { ok: false, status: 400, code: 'invalid_request', message: String((sent.answer.error as { message?: string })?.message ?? sent.answer.error ?? 'the host refused the fault') };
  if (sent.status < 200 || sent.status >= 300) return { ok: false, status: 502, code: 'host_unreachable', message: `${target.name} did not take the fault: ${JSON.stringify(sent.answer)}` };
  return { ok: true, host: target.name, scenario, effect: sent.answer.effect ?? sent.answer };
}

/** Clears the faults of a service's lab hosts (or one of them); returns the hosts healed. */
export async function healLab(db: DbOrTx, service: string, host?: string): Promise<string[]> {
  const healed: string[] = [];
  for (const h of await labHostsOf(db, service, host)) if ((await sendLabFault(h.address!, 'DELETE')).status === 200) healed.push(h.name);
  return healed;
}
