import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { idParam, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import type { DbOrTx } from '../store/store.js';
import { prodengExtension } from '../chaos/experiment/index.js';
import { nextSlot } from '../chaos/gameDay/gameDaySlots.js';
import { loadRunReport, renderRunReport } from '../chaos/gameDay/runReport.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function runSummary(r: { id: number; status: string; deviated: number; started_by: string; started_at: number; ended_at: number | null; experiment_name: string | null; game_day: string | null }) {
  return { id: Number(r.id), experiment: r.experiment_name, gameDay: r.game_day, status: r.status, deviated: r.deviated === 1, startedBy: r.started_by, startedAt: iso(r.started_at), endedAt: iso(r.ended_at) };
}

const summaryColumns = ['id', 'status', 'deviated', 'started_by', 'started_at', 'ended_at', 'experiment_name', 'game_day'] as const;

async function lastRunOf(db: DbOrTx, experiment: string) {
  const r = await db.selectFrom('chaos_runs').select(summaryColumns).where('experiment_name', '=', experiment).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? runSummary(r) : null;
}

/**
 * Config Experiment documents run by the server, game days, and any run's
 * report. A run started here is run by this replica, whoever is leader;
 * the 202 comes once it is admitted, and its journal is read with
 * GET /api/v1/chaos/runs/{id} as any run's.
 */
export function chaosExperimentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const db = deps.store.db;
  const { runs, gameDays } = deps.serverChaos;

  app.get('/api/v1/chaos/experiments', async () => ({
    experiments: await Promise.all(
      [...runs.experiments.values()].map(async (doc) => ({
        name: doc.name,
        title: doc.spec.title,
        service: prodengExtension(doc.spec.extensions).service ?? null,
        lastRun: await lastRunOf(db, doc.name),
      })),
    ),
  }));

  app.post<{ Params: { name: string } }>('/api/v1/chaos/experiments/:name/runs', async (request, reply) => {
    const started = await runs.start(request.params.name, { startedBy: actorOf(request, undefined) });
    if (!started.ok) {
      if (started.code === 'not_found') return sendProblem(reply, 404, 'not_found', started.message);
      return sendProblem(reply, 423, started.code, started.message);
    }
    // the run goes on after the reply; its end is logged and stored by the runner
    started.done.catch((err: unknown) => request.log.error({ chaosRun: started.id, err: (err as Error).message }, 'server-side chaos run failed to end cleanly'));
    return reply.code(202).send({ id: started.id });
  });

  app.get('/api/v1/chaos/game-days', async () => {
    const now = deps.clock.now();
    return {
      gameDays: await Promise.all(
        gameDays.map(async (g) => {
          const last = await db.selectFrom('chaos_runs').select(summaryColumns).where('game_day', '=', g.name).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(Math.max(10, g.spec.experiments.length)).execute();
          return {
            name: g.name,
            description: g.spec.description ?? null,
            schedule: g.spec.schedule,
            timeZone: g.spec.timeZone,
            enabled: g.spec.enabled,
            experiments: g.spec.experiments,
            nextSlot: g.spec.enabled ? iso(nextSlot(g.spec, now)) : null,
            lastRuns: last.map(runSummary),
          };
        }),
      ),
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/chaos/runs/:id/report', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const data = await loadRunReport(db, id, deps.clock.now());
    if (!data) return sendProblem(reply, 404, 'not_found', `no chaos run ${id}`);
    return reply.type('text/markdown; charset=utf-8').send(renderRunReport(data));
  });
}
