import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ApiDeps } from './deps.js';

export function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const open = { config: { access: 'public' as const } };
  app.get('/healthz', open, async () => ({ status: 'ok' }));

  // The root serves the console; this says what the API offers.
  app.get('/api/v1', open, async () => ({
    name: 'prodeng',
    store: deps.store.dialect,
    endpoints: {
      alerts: 'GET /api/v1/alerts?status=&service=&match[]=',
      alert: 'GET /api/v1/alerts/{id}',
      silences: 'GET|POST /api/v1/silences, DELETE /api/v1/silences/{id}',
      heartbeats: 'GET /api/v1/heartbeats, POST /api/v1/heartbeats/{name}/ping',
      prometheus: 'POST /api/v2/alerts',
      alertmanagerApiV2: 'GET /api/v2/alerts, GET /api/v2/alerts/groups, GET|POST /api/v2/silences, GET|DELETE /api/v2/silence/{id}, GET /api/v2/receivers, GET /api/v2/status',
      runbooks: 'GET /api/v1/runbooks, GET /api/v1/runbooks/{name}',
      alertmanagerWebhook: 'POST /api/v1/intake/alertmanager',
      pagerdutyEventsV2: 'POST /v2/enqueue',
      pagerdutyChangeEvents: 'POST /v2/change/enqueue',
      changes: 'GET /api/v1/changes?service=&since=&until=, POST /api/v1/changes',
      generic: 'POST /api/v1/intake/generic',
      remediations: 'GET /api/v1/remediations, GET /api/v1/remediations/{id}, POST /api/v1/remediations/{id}/approve|reject',
      automation: 'GET /api/v1/automation, POST /api/v1/automation/pause|resume',
      hosts: 'GET|POST /api/v1/hosts, GET /api/v1/hosts/{name}, POST /api/v1/hosts/{name}/drain|undrain|repair|replace|decommission',
      pools: 'GET /api/v1/pools, GET /api/v1/pools/{name}, POST /api/v1/pools/{name}/maintenance',
      probes: 'GET /api/v1/probes/availability',
      lab: 'GET /api/v1/lab, POST /api/v1/lab/break, POST /api/v1/lab/heal',
      oncall: 'GET /api/v1/oncall?team=&schedule=&at=, GET /api/v1/schedules, GET /api/v1/schedules/{name}/shifts, GET|POST /api/v1/schedules/{name}/overrides, DELETE /api/v1/schedules/{name}/overrides/{id}',
      incidents: 'GET|POST /api/v1/incidents, GET /api/v1/incidents/{id}, POST /api/v1/incidents/{id}/ack|resolve|notes, GET /api/v1/incidents/{id}/postmortem',
      reports: 'GET /api/v1/reports/pareto, GET /api/v1/reports/teams, GET /api/v1/reports/digest',
      events: 'GET /api/v1/events (text/event-stream)',
      whoami: 'GET /api/v1/whoami (the caller, as the token says)',
      console: 'GET /',
      health: 'GET /healthz, GET /readyz, GET /metrics',
    },
  }));

  // Ready only when the store answers and its schema is current.
  app.get('/readyz', open, async (_request, reply) => {
    if (!deps.store.migrated) return reply.code(503).send({ status: 'not ready', reason: 'database migrations have not finished' });
    try {
      await sql`select 1`.execute(deps.store.db);
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: `database unreachable: ${(err as Error).message}` });
    }
    return { status: 'ready', store: deps.store.dialect };
  });

  app.get('/metrics', open, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
