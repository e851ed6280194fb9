import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { FAULT_LEASE_MS, markReverted, openFaults, recordFault, renewRunLease } from '../chaos/faultLeases.js';
import { faultKinds } from '../chaos/faultKinds.js';
import { mayRunExperiment } from '../chaos/runGuard.js';
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
  const kinds = faultKinds(deps.store.db, deps.faultProxy);
  const db = deps.store.db;

  const revertFault = async (fault: { id: number; kind: string; target: Record<string, unknown> }, by: string) => {
    await kinds[fault.kind]?.revert(fault.target);
    await markReverted(db, fault.id, by, deps.clock.now());
  };

  app.post('/api/v1/chaos/runs', async (request, reply) => {
    const parsed = startBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { title, service, blastRadius, maxBlastRadius, page, experiment } = parsed.data;
    const by = actorOf(request, undefined);
    const now = deps.clock.now();
    const verdict = await mayRunExperiment(db, { service: service ?? null, blastRadius, maxBlastRadius });
    const row = await db
      .insertInto('chaos_runs')
      .values({ title, service: service ?? null, status: verdict.allow ? 'running' : 'refused', deviated: 0, pages: page ? 1 : 0, started_by: by, owner: by, lease_expires_at: now + FAULT_LEASE_MS, started_at: now, ended_at: verdict.allow ? null : now, experiment: JSON.stringify(experiment ?? {}), journal: verdict.allow ? null : JSON.stringify({ refused: verdict.reason }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    request.log.info({ chaosRun: Number(row.id), title, service, by, allowed: verdict.allow }, verdict.allow ? 'chaos run started' : 'chaos run refused');
    if (!verdict.allow) return sendProblem(reply, 423, verdict.code, verdict.reason);
    return reply.code(201).send({ id: Number(row.id), leaseMs: FAULT_LEASE_MS, renewEveryMs: Math.floor(FAULT_LEASE_MS / 3) });
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
    const left = await openFaults(db, { runId: id });
    for (const fault of left) await revertFault(fault, 'run ended');
    const { journal } = parsed.data;
    await db.updateTable('chaos_runs').set({ status: journal.status, deviated: journal.deviated ? 1 : 0, ended_at: deps.clock.now(), journal: JSON.stringify(journal) }).where('id', '=', id).execute();
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
    const kind = kinds[parsed.data.kind];
    if (!kind) return sendProblem(reply, 400, 'invalid_request', `kind: unknown fault kind "${parsed.data.kind}" (known: ${Object.keys(kinds).join(', ')})`);
    const target = kind.target.safeParse(parsed.data.target);
    if (!target.success) return sendInvalid(reply, target.error);
    const runId = parsed.data.runId ?? null;
    if (runId !== null) {
      const run = await db.selectFrom('chaos_runs').select(['status']).where('id', '=', runId).executeTakeFirst();
      if (!run) return sendProblem(reply, 404, 'not_found', `no chaos run ${runId}`);
      if (run.status !== 'running') return sendProblem(reply, 409, 'conflict', `chaos run ${runId} is ${run.status}; it injects nothing more`);
    }
    const now = deps.clock.now();
    // Recorded first: a server killed between the two still has it to revert.
    const id = await recordFault(db, { runId, kind: parsed.data.kind, target: target.data, spec: {} }, now);
    try {
      const effect = await kind.inject(target.data);
      // Pin what was hit (the host), so the revert undoes exactly that.
      const pinned = { ...target.data, ...(typeof effect.host === 'string' ? { host: effect.host } : {}), ...(typeof effect.name === 'string' ? { name: effect.name } : {}) };
      await db.updateTable('chaos_faults').set({ target: JSON.stringify(pinned) }).where('id', '=', id).execute();
      request.log.info({ fault: id, kind: parsed.data.kind, target: pinned, run: runId }, 'chaos fault injected');
      return reply.code(201).send({ id, kind: parsed.data.kind, target: pinned, effect, leaseExpiresAt: new Date(now + FAULT_LEASE_MS).toISOString() });
    } catch (err) {
      await markReverted(db, id, 'never injected', deps.clock.now());
      const e = err as Error & { status?: number; code?: string };
      return sendProblem(reply, e.status && e.status < 500 ? e.status : 502, e.code ?? 'fault_failed', e.message);
    }
  });

  app.get('/api/v1/chaos/faults', async () => ({ faults: (await openFaults(db)).map((f) => ({ ...f, injectedAt: new Date(f.injectedAt).toISOString(), leaseExpiresAt: new Date(f.leaseExpiresAt).toISOString() })) }));

  app.delete<{ Params: { id: string } }>('/api/v1/chaos/faults/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const [fault] = await openFaults(db, { id });
    if (!fault) return sendProblem(reply, 404, 'not_found', `no open chaos fault ${id}`);
    await revertFault(fault, actorOf(request, undefined));
    return { id, reverted: true };
  });
}
