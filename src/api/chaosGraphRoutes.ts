import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { FAULT_LEASE_MS } from '../chaos/faultLeases.js';
import { faultKinds } from '../chaos/faultKinds.js';
import { endChaosRun, startChaosRun } from '../chaos/chaosRunLifecycle.js';
import { edgesUnder } from '../chaos/sweep/sweepPlan.js';
import { currentDependencyGraph, currentEdges as currentEdgesOf } from '../chaos/currentGraph.js';
import { recordEdgeVerdicts, sweepFindings } from '../chaos/sweep/edgeVerdicts.js';
import { chaosRunView } from '../chaos/chaosRunView.js';
import { NAME_PATTERN } from '../config/envelope.js';

const serviceName = z.string().regex(NAME_PATTERN, `must name a service (${NAME_PATTERN})`);

const faultOutcome = z.object({ fault: z.string().min(1), outcome: z.enum(['broke', 'degraded', 'held']), detail: z.string(), durationMs: z.number().int().min(0).optional() }).strict();
const finding = z
  .object({
    caller: serviceName,
    callee: serviceName,
    verdict: z.enum(['critical', 'degradable', 'no_effect']),
    declared: z.enum(['required', 'optional']).nullable(),
    faults: z.array(faultOutcome).min(1, 'a verdict needs at least one fault tried'),
  })
  .strict();

const sweepEnd = z
  .object({
    status: z.enum(['completed', 'failed', 'aborted', 'interrupted'], { error: 'must be completed, failed, aborted or interrupted' }),
    findings: z.array(finding),
    skipped: z.array(z.object({ caller: serviceName, callee: serviceName, declared: z.enum(['required', 'optional']).nullable(), reason: z.string() }).strict()).default([]),
    durationMs: z.number().int().min(0),
    /** what the sweep cost the service's SLOs */
    slos: z.array(z.object({ slo: z.string(), bad: z.number().min(0), budgetShare: z.number().min(0).nullable() }).strict()).default([]),
    error: z.string().optional(),
  })
  .strict();

/**
 * The dependency graph and the sweeps that measure it: which edges exist
 * (declared by the Services, seen by discovery), a sweep's run (its faults
 * leased like any experiment's) and its verdicts, and the graph the
 * console draws with the critical path on it.
 */
export function chaosGraphRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const db = deps.store.db;
  const kinds = faultKinds(db, deps.faultProxy, deps.edgeProxies);
  const graphSources = { db, edgeProxies: deps.edgeProxies, serviceDependencies: deps.serviceDependencies };
  const currentEdges = () => currentEdgesOf(graphSources);

  app.get<{ Querystring: { under?: string } }>('/api/v1/chaos/edges', async (request, reply) => {
    const under = request.query.under;
    if (under !== undefined && !serviceName.safeParse(under).success) return sendProblem(reply, 400, 'invalid_request', `under: must name a service (${NAME_PATTERN})`);
    const edges = await currentEdges();
    return { edges: under === undefined ? edges : edgesUnder(under, edges) };
  });

  app.get('/api/v1/chaos/graph', async () => currentDependencyGraph(graphSources, deps.clock.now()));

  // A sweep is a chaos run: admitted by the same guard, its faults on its lease.
  app.post('/api/v1/chaos/sweeps', async (request, reply) => {
    const parsed = z.object({ service: serviceName }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { service } = parsed.data;
    const plan = edgesUnder(service, await currentEdges());
    if (plan.length === 0) return sendProblem(reply, 404, 'not_found', `no dependency edges under ${service}: none declared (Service ${service} spec.dependsOn) and none seen through discovery`);
    const by = actorOf(request, undefined);
    const run = await startChaosRun(db, deps.clock.now(), { title: `sweep of ${service}`, service, startedBy: by, kind: 'sweep', experiment: { sweep: { service, edges: plan.map((e) => `${e.caller} -> ${e.callee}`) } } });
    request.log.info({ chaosRun: run.id, service, by, allowed: run.allowed }, run.allowed ? 'chaos sweep started' : 'chaos sweep refused');
    if (!run.allowed) return sendProblem(reply, 423, run.code, run.reason);
    return reply.code(201).send({ id: run.id, leaseMs: FAULT_LEASE_MS, renewEveryMs: Math.floor(FAULT_LEASE_MS / 3), edges: plan });
  });

  // The sweep's end: its verdicts are kept, and whatever it left injected is reverted.
  app.put<{ Params: { id: string } }>('/api/v1/chaos/sweeps/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = sweepEnd.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const run = await db.selectFrom('chaos_runs').select(['status', 'kind']).where('id', '=', id).executeTakeFirst();
    if (!run || run.kind !== 'sweep') return sendProblem(reply, 404, 'not_found', `no chaos sweep ${id}`);
    if (run.status !== 'running') return sendProblem(reply, 409, 'conflict', `chaos sweep ${id} is ${run.status}; its faults were reverted and its verdicts are closed`);
    const end = parsed.data;
    const now = deps.clock.now();
    await recordEdgeVerdicts(db, id, end.findings, now);
    await endChaosRun(db, kinds, deps.clock, id, { status: end.status, deviated: false, sweep: { findings: end.findings, skipped: end.skipped, durationMs: end.durationMs, slos: end.slos, ...(end.error ? { error: end.error } : {}) } } as { status: string; deviated: boolean });
    return { ...(await chaosRunView(db, id)), findings: await sweepFindings(db, id) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/chaos/sweeps/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const view = await chaosRunView(db, id);
    if (!view) return sendProblem(reply, 404, 'not_found', `no chaos sweep ${id}`);
    return { ...view, findings: (await sweepFindings(db, id)).map((f) => ({ ...f, measuredAt: new Date(f.measuredAt).toISOString() })) };
  });
}
