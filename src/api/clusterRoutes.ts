import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ClusterControl, type Started } from '../fleet/cluster/clusterControl.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';

const moveBody = z.object({ by: z.string().min(1).optional(), reason: z.string().min(1, 'say why, or leave it out').optional() }).strict();
const downBody = moveBody.extend({ force: z.boolean({ error: 'must be true or false' }).default(false) }).strict();
const migrateBody = moveBody.extend({ to: z.string().min(1, 'the Cluster to move the service to') }).strict();

/**
 * Clusters: their desired state and pools in turn-up order, turning one up
 * or down, and moving a service between them. The moves run in the
 * background: the 202 says it started; GET the cluster to follow it.
 */
export function clusterRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const control = new ClusterControl(deps.fleet, deps.config);

  const accepted = async (reply: FastifyReply, started: Started, cluster: string) => {
    if (!started.ok) return sendProblem(reply, started.status, started.code, started.message);
    return reply.code(202).send({ operation: started.operation, cluster: await control.view(cluster) });
  };

  app.get('/api/v1/clusters', async () => ({ clusters: await control.list() }));

  app.get<{ Params: { name: string } }>('/api/v1/clusters/:name', async (request, reply) => {
    const view = await control.view(request.params.name);
    return view ?? sendProblem(reply, 404, 'cluster_not_found', `no Cluster named ${request.params.name}`);
  });

  app.post<{ Params: { name: string } }>('/api/v1/clusters/:name/up', async (request, reply) => {
    const parsed = moveBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const by = actorOf(request, parsed.data.by);
    return accepted(reply, await control.startUp(request.params.name, { actor: by, reason: parsed.data.reason ?? `cluster up, asked by ${by}` }), request.params.name);
  });

  app.post<{ Params: { name: string } }>('/api/v1/clusters/:name/down', async (request, reply) => {
    const parsed = downBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const by = actorOf(request, parsed.data.by);
    return accepted(reply, await control.startDown(request.params.name, { actor: by, reason: parsed.data.reason ?? `cluster down, asked by ${by}`, force: parsed.data.force }), request.params.name);
  });

  app.post<{ Params: { service: string } }>('/api/v1/services/:service/migrate', async (request, reply) => {
    const parsed = migrateBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const by = actorOf(request, parsed.data.by);
    const started = await control.startMigrate(request.params.service, parsed.data.to, { actor: by, reason: parsed.data.reason ?? `moving ${request.params.service} to ${parsed.data.to}, asked by ${by}` });
    return accepted(reply, started, parsed.data.to);
  });
}
