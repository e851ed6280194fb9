import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';

/** What GET /api/v2/status says of the cluster: prodeng's replicas on PostgreSQL, none on SQLite (one process). */
export interface ClusterStatus {
  /** absent when there is no cluster, as Alertmanager leaves it */
  name?: string;
  status: 'ready' | 'settling' | 'disabled';
  peers: Array<{ name: string; address: string }>;
}

/**
 * Alertmanager's status and receivers, which amtool reads before every
 * command and Grafana reads to test a data source. `config.original` is
 * prodeng's real routing in Alertmanager's YAML, so `amtool config routes`
 * draws the tree prodeng follows.
 */
export function alertmanagerStatusRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { alertmanager } = deps;
  app.get('/api/v2/status', async () => ({
    cluster: await alertmanager.cluster(),
    versionInfo: alertmanager.versionInfo,
    config: { original: alertmanager.routing.configYaml },
    uptime: new Date(alertmanager.startedAt).toISOString(),
  }));

  app.get('/api/v2/receivers', async () => alertmanager.routing.receivers.map((name) => ({ name })));
}
