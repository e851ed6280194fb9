import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { FAULT_LEASE_MS, openFaults, renewRunLease } from '../chaos/faultLeases.js';
import { faultKinds } from '../chaos/faultKinds.js';
import { endChaosRun, revertFault, startChaosRun } from '../chaos/chaosRunLifecycle.js';
import { injectFault } from '../chaos/injectFault.js';
import { chaosRunView, journalStatusSchema, listChaosRuns } from '../chaos/chaosRunView.js';

const startBody = z
  .object({
    title: z.string().min(1, 'say what the experiment is'),
    service: z.string().min(1).optional(),
    /** the share of the service's hosts it touches */
    blastRadius: z.number().gt(0).max(1).optional(),
    maxBlastRadius: z.number().gt(0).max(1).optional(),
    /** alerts raised during the run page as usual (default: their incidents are tickets) */
    page: z.boolean().optional(),
    experiment: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const journalBody = z.object({ journal: z.object({ status: journalStatusSchema, deviated: z.boolean() }).passthrough() }).strict();

const faultBody = z
  .object({
    runId: z.number().int().positive().optional(),
    kind: z.string().min(1),
    target: z.record(z.string(), z.unknown()),
  })
  .strict();

/**
 * Chaos runs and the faults they inject, for `prodeng chaos run` (or the
 * real Chaos Toolkit through its http provider): a run is admitted by the
 * guard, every fault is recorded before it is injected and leased to its
 * run, and what a run leaves behind is reverted when its journal comes in
 * or, if its runner dies, when the lease runs out.
 */
export function chaosRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const kinds = faultKinds(deps.store.db, deps.faultProxy, deps.edgeProxies);
  const db = deps.store.db;

  app.post('/api/v1/chaos/runs', async (request, reply) => {
    const parsed = startBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { title, service, blastRadius, maxBlastRadius, page, experiment } = parsed.data;
    const by = actorOf(request, undefined);
    const run = await startChaosRun(db, deps.clock.now(), { title, service: service ?? null, blastRadius, maxBlastRadius, page, experiment, startedBy: by });
    request.log.info({ chaosRun: run.id, title, service, by, allowed: run.allowed }, run.allowed ? 'chaos run started' : 'chaos run refused');
    if (!run.allowed) return sendProblem(reply, 423, run.code, run.reason);
    return reply.code(201).send({ id: run.id, leaseMs: FAULT_LEASE_MS, renewEveryMs: Math.floor(FAULT_LEASE_MS / 3) });
  });

  app.post<{ Params: { id: string } }>('/api/v1/chaos/runs/:id/lease', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const run = await db.selectFrom('chaos_runs').select(['status']).where('id', '=', id).executeTakeFirst();
    if (!run) return sendProblem(reply, 404, 'not_found', `no chaos run ${id}`);
    if (run.status !== 'running') return sendProblem(reply, 409, 'conflict', `chaos run ${id} is ${run.status}; its faults were reverted`);
    await renewRunLease(db, id, deps.clock.now());
    return { id, leaseMs: FAULT_LEASE_MS };
  });

  // The journal ends the run: whatever the run injected and did not roll back is reverted now.
  app.put<{ Params: { id: string } }>('/api/v1/chaos/runs/:id/journal', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = journalBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const run = await db.selectFrom('chaos_runs').select(['status']).where('id', '=', id).executeTakeFirst();
    if (!run) return sendProblem(reply, 404, 'not_found', `no chaos run ${id}`);
    await endChaosRun(db, kinds, deps.clock, id, parsed.data.journal);
    return chaosRunView(db, id);
  });

  app.get('/api/v1/chaos/runs', async () => ({ runs: await listChaosRuns(db) }));
  app.get<{ Params: { id: string } }>('/api/v1/chaos/runs/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    return (await chaosRunView(db, id)) ?? sendProblem(reply, 404, 'not_found', `no chaos run ${id}`);
  });

  app.post('/api/v1/chaos/faults', async (request, reply) => {
    const parsed = faultBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const outcome = await injectFault(db, kinds, deps.clock, { runId: parsed.data.runId ?? null, kind: parsed.data.kind, target: parsed.data.target });
    if (!outcome.ok) return outcome.invalid ? sendInvalid(reply, outcome.invalid) : sendProblem(reply, outcome.status, outcome.code, outcome.message);
    const { fault } = outcome;
    request.log.info({ fault: fault.id, kind: fault.kind, target: fault.target, run: parsed.data.runId ?? null }, 'chaos fault injected');
    return reply.code(201).send({ ...fault, leaseExpiresAt: new Date(fault.leaseExpiresAt).toISOString() });
  });

  app.get('/api/v1/chaos/faults', async () => ({ faults: (await openFaults(db)).map((f) => ({ ...f, injectedAt: new Date(f.injectedAt).toISOString(), leaseExpiresAt: new Date(f.leaseExpiresAt).toISOString() })) }));

  app.delete<{ Params: { id: string } }>('/api/v1/chaos/faults/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const [fault] = await openFaults(db, { id });
    if (!fault) return sendProblem(reply, 404, 'not_found', `no open chaos fault ${id}`);
    await revertFault(db, kinds, fault, actorOf(request, undefined), deps.clock.now());
    return { id, reverted: true };
  });
}
