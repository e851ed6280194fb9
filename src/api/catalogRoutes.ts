import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';
import type { ServiceSpec } from '../config/kinds.js';
import { currentDependencyGraph } from '../chaos/currentGraph.js';
import { evaluateScorecard } from '../catalog/scorecard/scorecard.js';
import { builtinChecks } from '../catalog/scorecard/builtinChecks.js';
import { LAYERS, LAYER_TITLES } from '../catalog/scorecard/pyramid.js';
import { scoreHistory } from '../catalog/scorecard/scorecardMonitor.js';
import { campaignProgress } from '../catalog/scorecard/campaigns.js';
import { runUpkeepChecks } from '../catalog/upkeep/upkeepRunner.js';
import { changesOf } from '../deploys/changes/changeStore.js';
import { changeView, type ChangeView } from '../deploys/changes/changeView.js';

const DAY = 24 * 3600_000;
const filters = z.object({ service: z.string().min(1).optional(), team: z.string().min(1).optional() }).strict();

/**
 * The service catalog (what each service is, who owns it, what it calls
 * and what was seen calling) and the scorecard on it (the pyramid's checks,
 * measured from prodeng's own records).
 */
export function catalogRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const db = deps.store.db;
  const services = () => deps.config.services as Map<string, { name: string; spec: ServiceSpec }>;
  const graph = () => currentDependencyGraph({ db, edgeProxies: deps.edgeProxies, serviceDependencies: deps.serviceDependencies }, deps.clock.now());

  const catalogEntry = (name: string, spec: ServiceSpec, g: Awaited<ReturnType<typeof graph>>, changes: ChangeView[] = []) => ({
    name,
    owner: spec.owner,
    description: spec.description ?? null,
    system: spec.system ?? null,
    lifecycle: spec.lifecycle ?? null,
    phase: spec.phase ?? null,
    repository: spec.repository ?? null,
    links: spec.links ?? [],
    dependsOn: g.edges.filter((e) => e.from === name).map((e) => ({ service: e.to, declared: e.declared, observed: e.observed, verdict: e.verdict?.verdict ?? null, drift: e.drift })),
    calledBy: g.edges.filter((e) => e.to === name).map((e) => e.from),
    drift: g.edges.filter((e) => e.from === name && e.drift !== null).map((e) => `${e.from} -> ${e.to}: ${e.drift}`),
    /** its newest changes on the record (deploys, config, flags), for "what changed here lately" */
    changes,
  });

  app.get('/api/v1/catalog/services', async () => {
    const g = await graph();
    return { services: [...services()].map(([name, doc]) => catalogEntry(name, doc.spec, g)) };
  });

  app.get<{ Params: { name: string } }>('/api/v1/catalog/services/:name', async (request, reply) => {
    const doc = services().get(request.params.name);
    if (!doc) return sendProblem(reply, 404, 'not_found', `no service ${request.params.name} in the config`);
    const changes = (await changesOf(db, { service: request.params.name, limit: 10 })).map(changeView);
    return catalogEntry(request.params.name, doc.spec, await graph(), changes);
  });

  app.get('/api/v1/catalog/graph', async () => graph());

  app.get('/api/v1/scorecard/checks', async () => ({
    layers: LAYERS.map((l) => ({ layer: l, title: LAYER_TITLES[l] })),
    checks: builtinChecks.map((c) => ({ id: c.id, layer: c.layer, level: c.level, title: c.title })),
  }));

  app.get<{ Querystring: Record<string, string> }>('/api/v1/scorecard', async (request, reply) => {
    const parsed = filters.safeParse(request.query ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { service, team } = parsed.data;
    if (service && !services().has(service)) return sendProblem(reply, 404, 'not_found', `service: no service ${service} in the config`);
    if (team && !deps.config.teams.has(team)) return sendProblem(reply, 404, 'not_found', `team: no team ${team} in the config`);
    const scores = await evaluateScorecard(db, deps.config, deps.clock.now(), undefined, { service, team });
    return { services: scores };
  });

  app.get<{ Params: { name: string } }>('/api/v1/scorecard/:name', async (request, reply) => {
    if (!services().has(request.params.name)) return sendProblem(reply, 404, 'not_found', `no service ${request.params.name} in the config`);
    const now = deps.clock.now();
    const [score] = await evaluateScorecard(db, deps.config, now, undefined, { service: request.params.name });
    const notices = await db.selectFrom('scorecard_notices').selectAll().where('service', '=', request.params.name).orderBy('id', 'desc').limit(50).execute();
    return { ...score, history: await scoreHistory(db, request.params.name, now - 365 * DAY), notices: notices.map((n) => ({ at: new Date(Number(n.at)).toISOString(), title: n.title, detail: n.detail })) };
  });

  // Measure the upkeep checks now (they also run hourly): for one service, or all of them.
  app.post('/api/v1/scorecard/upkeep', async (request, reply) => {
    const parsed = z.object({ service: z.string().min(1).optional() }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { service } = parsed.data;
    if (service && !services().has(service)) return sendProblem(reply, 404, 'not_found', `service: no service ${service} in the config`);
    const runs = await runUpkeepChecks(db, deps.config, deps.clock.now(), { ...deps.upkeepOptions, ...(service ? { services: [service] } : {}) });
    return { runs: runs.map((r) => ({ service: r.service, check: r.check, ...r.outcome })) };
  });

  app.get('/api/v1/scorecard/campaigns', async () => ({ campaigns: campaignProgress(deps.config, await evaluateScorecard(db, deps.config, deps.clock.now()), deps.clock.now()) }));
}
