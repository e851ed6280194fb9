import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listHosts } from '../fleet/hosts.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';

export const LAB_SCENARIOS = ['crash', 'hang', 'slow', 'errors', 'disk-full', 'leak'] as const;

const breakBody = z
  .object({
    scenario: z.enum(LAB_SCENARIOS),
    service: z.string().min(1),
    host: z.string().optional(),
    ms: z.number().int().positive().optional(),
    path: z.string().startsWith('/').optional(),
    share: z.number().gt(0).max(1).optional(),
    mbPerSecond: z.number().positive().optional(),
  })
  .strict();
const LAB_PROBE_TIMEOUT_MS = 1000;
const healBody = z.object({ service: z.string().min(1), host: z.string().optional() }).strict();

/**
 * Game-day faults for the lab: a real fault in a real shop process, sent to
 * the host's own fault API. Only hosts prodeng runs (a pool's) are touched.
 */
export function labRoutes(app: FastifyInstance, deps: ApiDeps): void {
  async function targetHost(service: string, host: string | undefined) {
    const hosts = (await listHosts(deps.store.db, { service, state: 'in_service' })).filter((h) => h.pool && h.address);
    if (host) return hosts.find((h) => h.name === host) ?? null;
    return hosts[0] ?? null;
  }

  async function sendFault(address: string, method: 'POST' | 'DELETE', body?: unknown) {
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

  // Whether a lab runs, and which faults each lab host carries: a pool host
  // that answers the fault API is a lab host. The console shows its buttons from this.
  app.get('/api/v1/lab', async () => {
    const hosts = (await listHosts(deps.store.db, { state: 'in_service' })).filter((h) => h.pool && h.address);
    const answers = await Promise.all(
      hosts.map(async (h) => {
        try {
          const res = await fetch(`http://${h.address}/_lab/faults`, { signal: AbortSignal.timeout(LAB_PROBE_TIMEOUT_MS) });
          if (!res.ok) return null;
          const body = (await res.json()) as { faults?: Array<{ fault: string }> };
          return { host: h.name, service: h.service, faults: (body.faults ?? []).map((f) => f.fault), answering: true };
        } catch (err) {
          // A hung lab host does not answer; it is still a lab host if it was one.
          return (err as Error).name === 'TimeoutError' ? { host: h.name, service: h.service, faults: [], answering: false } : null;
        }
      }),
    );
    const labHosts = answers.filter((a) => a !== null);
    return { running: labHosts.some((h) => h.answering), scenarios: LAB_SCENARIOS, hosts: labHosts };
  });

  app.post('/api/v1/lab/break', async (request, reply) => {
    const parsed = breakBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { scenario, service, host, ...params } = parsed.data;
    const target = await targetHost(service, host);
    if (!target) return sendProblem(reply, 404, 'host_not_found', host ? `no in-service lab host ${host} in service ${service}` : `service ${service} has no in-service lab host`);
    const fault = { fault: scenario, ...params, ...(scenario === 'leak' && params.mbPerSecond === undefined ? { mbPerSecond: 5 } : {}) };
    const sent = await sendFault(target.address!, 'POST', fault);
    // A hung host may not answer the request that hung it.
    if (sent.status === 0 && scenario === 'hang') return { host: target.name, scenario, effect: 'the host stopped answering' };
    if (sent.status === 400) return sendProblem(reply, 400, 'invalid_request', String((sent.answer.error as { message?: string })?.message ?? sent.answer.error ?? 'the host refused the fault'));
    if (sent.status < 200 || sent.status >= 300) return sendProblem(reply, 502, 'host_unreachable', `${target.name} did not take the fault: ${JSON.stringify(sent.answer)}`);
    return { host: target.name, scenario, effect: sent.answer.effect ?? sent.answer };
  });

  app.post('/api/v1/lab/heal', async (request, reply) => {
    const parsed = healBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const hosts = (await listHosts(deps.store.db, { service: parsed.data.service, state: 'in_service' })).filter((h) => h.pool && h.address && (!parsed.data.host || h.name === parsed.data.host));
    if (hosts.length === 0) return sendProblem(reply, 404, 'host_not_found', `no in-service lab host to heal in service ${parsed.data.service}`);
    const healed = [];
    for (const h of hosts) if ((await sendFault(h.address!, 'DELETE')).status === 200) healed.push(h.name);
    return { healed };
  });
}
