import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { probeAvailability } from '../probes/probeQueries.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid } from './problems.js';

const query = z.object({ window: durationSchema.default(3_600_000), service: z.string().optional(), host: z.string().optional(), probe: z.string().optional() }).strict();

/** Probe results as availability and latency per host over a window (default 1h). */
export function probeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/v1/probes/availability', async (request, reply) => {
    const parsed = query.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { window, ...filter } = parsed.data;
    return { window: `${Math.round(window / 1000)}s`, targets: await probeAvailability(deps.store.db, { since: deps.clock.now() - window, ...filter }) };
  });
}
