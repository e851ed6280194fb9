import type { FastifyInstance } from 'fastify';
import { groupByService, selectOpenAlerts, type AlertSelection } from '../intake/alertmanagerAlerts.js';
import { boolParam, filterParam, receiverParam } from './alertmanagerQuery.js';
import type { ApiDeps } from './deps.js';
import { sendProblem } from './problems.js';

type Query = Record<string, unknown>;

/**
 * Alertmanager's API v2 reads of alerts, for amtool, Grafana and Karma:
 * the open alerts, each with the receiver prodeng routes it to, and the
 * same grouped by service. (POST /api/v2/alerts is intake's, in prometheusRoutes.)
 */
export function alertmanagerAlertRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const selection = (q: Query, withUnprocessed: boolean): { ok: true; value: AlertSelection } | { ok: false; message: string } => {
    const flags = {} as Record<'active' | 'silenced' | 'inhibited' | 'unprocessed', boolean>;
    const names: Array<keyof typeof flags> = withUnprocessed ? ['active', 'silenced', 'inhibited', 'unprocessed'] : ['active', 'silenced', 'inhibited'];
    for (const name of names) {
      const p = boolParam(name, q[name], true);
      if (!p.ok) return p;
      flags[name] = p.value;
    }
    const filter = filterParam(q.filter);
    if (!filter.ok) return filter;
    const receiver = receiverParam(q.receiver);
    if (!receiver.ok) return receiver;
    return { ok: true, value: { ...flags, unprocessed: flags.unprocessed ?? true, matchers: filter.value, receiver: receiver.value, receiverFor: deps.alertmanager.routing.receiverFor } };
  };

  app.get<{ Querystring: Query }>('/api/v2/alerts', async (request, reply) => {
    const sel = selection(request.query, true);
    if (!sel.ok) return sendProblem(reply, 400, 'invalid_request', sel.message);
    return (await selectOpenAlerts(deps.store, sel.value, deps.clock.now())).map((s) => s.alert);
  });

  app.get<{ Querystring: Query }>('/api/v2/alerts/groups', async (request, reply) => {
    const sel = selection(request.query, false);
    if (!sel.ok) return sendProblem(reply, 400, 'invalid_request', sel.message);
    return groupByService(await selectOpenAlerts(deps.store, sel.value, deps.clock.now()));
  });
}
