import { join } from 'node:path';
import { failingHostNames } from '../fleet/hostHealth.js';
import { packageRoot } from '../packageRoot.js';
import type { Logger } from 'pino';
import { listHosts } from '../fleet/hosts.js';
import { startServer, type RunningServer, type ServeOptions } from '../server.js';
import { startLoadGenerator, type LoadGenerator, type LoadResult } from './shop/loadGenerator.js';
import { addSliEvents } from '../slo/sliStore.js';

/** examples/lab in the package. */
export function labConfigDir(): string {
  return join(packageRoot(import.meta.url), 'examples', 'lab');
}

export interface RunningLab {
  server: RunningServer;
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
  // Traffic starts once every pooled host first answers its probes (or after a minute whatever
  // happens), so a newcomer's first figures are not the failures of a shop still starting.
  let load: LoadGenerator | null = null;
  const startedAt = Date.now();
  const userSlos = labUserSlos(server, opts.logger);
  const startLoad = () => (load ??= startLoadGenerator({ frontendUrls: () => frontends, ratePerSecond: opts.ratePerSecond, onResult: userSlos.record }));
  const refresh = async () => {
    const hosts = await listHosts(server.store.db);
    frontends = hosts.filter((h) => h.service === 'frontend' && h.state === 'in_service' && h.address).map((h) => `http://${h.address}`);
    if (load) return;
    const pooled = hosts.filter((h) => h.pool && h.state !== 'decommissioned');
    const inService = pooled.filter((h) => h.state === 'in_service');
    const allUp = pooled.length > 0 && inService.length === pooled.length && (await failingHostNames(server.store.db, inService.map((h) => h.name))).size === 0;
    if (allUp || Date.now() - startedAt > 60_000) startLoad();
  };
  await refresh();
  const refresher = setInterval(() => void refresh().catch(() => undefined), 1000);
  refresher.unref();
  return {
    server,
    async status() {
      const db = server.store.db;
      const hosts = await listHosts(db);
      const pooled = hosts.filter((h) => h.pool && h.state !== 'decommissioned');
      const inService = pooled.filter((h) => h.state === 'in_service');
      // In service but failing a probe is not serving: say healthy, as pools list counts capacity.
      const failing = await failingHostNames(db, inService.map((h) => h.name));
      const serving = inService.length - failing.size;
      const firing = await db.selectFrom('alerts').select(({ fn }) => fn.countAll<number>().as('n')).where('status', '=', 'firing').where('source', '=', 'probe').executeTakeFirstOrThrow();
      const active = await db.selectFrom('remediations').select(({ fn }) => fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'running', 'verifying', 'awaiting_approval']).executeTakeFirstOrThrow();
      const counts = load?.counts();
      const ok = Object.values(counts ?? {}).reduce((n, c) => n + c.ok, 0);
      const failed = Object.values(counts ?? {}).reduce((n, c) => n + c.failed, 0);
      return `lab: ${serving} of ${pooled.length} hosts healthy${failing.size ? ` (${failing.size} failing)` : ''}, ${Number(firing.n)} probe alert(s) firing, ${Number(active.n)} remediation(s) under way; ${load ? `shop traffic ${ok} ok, ${failed} failed` : 'shop traffic starts when every host is up'}${frontends[0] ? `; shop at ${frontends[0]}/` : ''}`;
    },
    async close() {
      clearInterval(refresher);
      await load?.stop();
      await userSlos.stop();
      await server.close();
    },
  };
}

/** The lab's user-facing SLOs (examples/lab/slo.yaml) and which requests count for each. */
const LAB_SLOS: Record<string, (r: LoadResult) => boolean | null> = {
  // every request a user makes, good when it answered well within a second
  'shop-frontend': (r) => r.ok && r.latencyMs < 1000,
  // only checkouts, good when the order went through
  'shop-checkout': (r) => (r.kind === 'checkout' ? r.ok : null),
};

/**
 * Counts what the load generator's users saw into the lab's SLOs, written
 * every 5 s; SLOs the config does not have are skipped.
 */
export function labUserSlos(server: RunningServer, logger: Logger) {
  const configured = Object.keys(LAB_SLOS).filter((name) => server.config.byKind('SLO').has(name));
  const pending = new Map<string, { good: number; total: number }>();
  const flush = async () => {
    const now = Date.now();
    const batch = [...pending];
    pending.clear();
    for (const [slo, c] of batch) await addSliEvents(server.store.db, slo, now, c.good, c.total);
  };
  const timer = setInterval(() => void flush().catch((err) => logger.warn({ err }, 'counting shop traffic into the lab SLOs failed')), 5000);
  timer.unref();
  return {
    record(result: LoadResult): void {
      for (const slo of configured) {
        const good = LAB_SLOS[slo]!(result);
        if (good === null) continue;
        const c = pending.get(slo) ?? { good: 0, total: 0 };
        c.total += 1;
        if (good) c.good += 1;
        pending.set(slo, c);
      }
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}
