import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listHosts } from '../fleet/hosts.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import { breakLabHost, healLab, labHostsOf, LAB_SCENARIOS } from '../lab/labFaults.js';

export { LAB_SCENARIOS };

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
    const result = await breakLabHost(deps.store.db, parsed.data);
    if (!result.ok) return sendProblem(reply, result.status, result.code, result.message);
    return { host: result.host, scenario: result.scenario, effect: result.effect };
  });

  app.post('/api/v1/lab/heal', async (request, reply) => {
    const parsed = healBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    if ((await labHostsOf(deps.store.db, parsed.data.service, parsed.data.host)).length === 0) return sendProblem(reply, 404, 'host_not_found', `no in-service lab host to heal in service ${parsed.data.service}`);
    return { healed: await healLab(deps.store.db, parsed.data.service, parsed.data.host) };
  });
}
