import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';
import type { Logger } from 'pino';
import { listHosts } from '../fleet/hosts.js';
import { startServer, type RunningServer, type ServeOptions } from '../server.js';
import { startLoadGenerator, type LoadGenerator } from './shop/loadGenerator.js';

/** examples/lab in the package. */
export function labConfigDir(): string {
  return join(packageRoot(import.meta.url), 'examples', 'lab');
}

export interface RunningLab {
  server: RunningServer;
  load: LoadGenerator;
  /** one line for a person: hosts, probes, remediations, traffic */
  status(): Promise<string>;
  close(): Promise<void>;
}

/**
 * prodeng with the lab: the demo shop's pools, probes and runbooks, and
 * steady shop traffic against whatever frontends discovery lists.
 */
export async function startLab(opts: ServeOptions & { ratePerSecond: number; logger: Logger }): Promise<RunningLab> {
  const server = await startServer({ ...opts, configDir: opts.configDir ?? labConfigDir() });
  let frontends: string[] = [];
  const refresh = async () => {
    const hosts = await listHosts(server.store.db, { service: 'frontend', state: 'in_service' });
    frontends = hosts.filter((h) => h.address).map((h) => `http://${h.address}`);
  };
  await refresh();
  const refresher = setInterval(() => void refresh().catch(() => undefined), 1000);
  refresher.unref();
  const load = startLoadGenerator({ frontendUrls: () => frontends, ratePerSecond: opts.ratePerSecond });
  return {
    server,
    load,
    async status() {
      const db = server.store.db;
      const hosts = await listHosts(db);
      const pooled = hosts.filter((h) => h.pool && h.state !== 'decommissioned');
      const serving = pooled.filter((h) => h.state === 'in_service').length;
      const firing = await db.selectFrom('alerts').select(({ fn }) => fn.countAll<number>().as('n')).where('status', '=', 'firing').where('source', '=', 'probe').executeTakeFirstOrThrow();
      const active = await db.selectFrom('remediations').select(({ fn }) => fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'running', 'verifying', 'awaiting_approval']).executeTakeFirstOrThrow();
      const counts = load.counts();
      const ok = Object.values(counts).reduce((n, c) => n + c.ok, 0);
      const failed = Object.values(counts).reduce((n, c) => n + c.failed, 0);
      return `lab: ${serving} of ${pooled.length} hosts in service, ${Number(firing.n)} probe alert(s) firing, ${Number(active.n)} remediation(s) under way; shop traffic ${ok} ok, ${failed} failed${frontends[0] ? `; shop at ${frontends[0]}/` : ''}`;
    },
    async close() {
      clearInterval(refresher);
      await load.stop();
      await server.close();
    },
  };
}
