import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import './kinds.js';
import { emptyConfig, formatConfigError, type LoadedConfig } from './config/index.js';
import { buildApi } from './api/app.js';
import { systemClock, type Clock } from './store/clock.js';
import { openStore, type Store } from './store/store.js';
import { ServiceDirectory } from './intake/serviceDirectory.js';
import { reapplySilences } from './intake/expiry.js';
import { GroupCommitter } from './intake/groupCommit.js';
import { registerHeartbeats, type HeartbeatDefinition } from './probes/heartbeats.js';
import { createEngineMetrics } from './reports/engineMetrics.js';
import { registerFixedWithoutHumanRatio } from './reports/fixedWithoutHuman.js';
import type { RunbookSpec } from './remediation/runbookKind.js';
import { loadConfiguration } from './loadConfiguration.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from './packageRoot.js';
import { Fleet } from './fleet/fleet.js';
import type { HostPoolSpec } from './fleet/hostPoolKind.js';
import { providerFor } from './fleet/providers/providerFor.js';
import { forgetLostHosts, syncDeclaredHosts } from './fleet/declaredHosts.js';
import { reconcileCapacity } from './fleet/capacity.js';
import { initialStateOf } from './fleet/cluster/initialState.js';
import { ProbeScheduler } from './probes/probeScheduler.js';
import { pruneProbeResults } from './probes/probeQueries.js';
import { registerProbeMetrics } from './reports/probeMetrics.js';
import { startPagingWorker } from './paging/paging.js';
import { pagingDirectoryFrom } from './paging/directory.js';
import { digestSettingsFromEnv, startDailyDigests, teamEmailsFrom } from './reports/digestSchedule.js';
import type { ProbeSpec } from './probes/probeKind.js';
import type { ScheduleSpec } from './oncall/scheduleKind.js';
import { LiveSchedules } from './oncall/liveSchedules.js';
import { periodicTask, type PeriodicTask } from './store/periodicTask.js';
import type { PluginSet } from './plugins/loadPlugins.js';
import { remediationIntakeHook } from './remediation/intakeHook.js';
import { incidentIntakeHook } from './incidents/incidentIntakeHook.js';
import type { FiringHook } from './intake/ingest.js';
import { startRemediationWorker, type RemediationWorker } from './remediation/worker.js';
import { recoverOrphanedRemediations } from './remediation/watchdog.js';
import { randomUUID } from 'node:crypto';
import { startMaintenanceLoop, type MaintenanceLoop } from './maintenance.js';
import { SloEvaluator } from './slo/sloEvaluator.js';
import { SLO_NOTICE_WORK, sendSloNotice } from './slo/sloNotice.js';
import { SCORECARD_NOTICE_WORK, sendScorecardNotice } from './catalog/scorecard/scorecardMonitor.js';
import { scorecardMonitorTask } from './catalog/scorecard/scorecardTask.js';
import { upkeepTask } from './catalog/upkeep/upkeepRunner.js';
import { upkeepDueSource } from './catalog/scorecard/digestUpkeep.js';
import { revertExpiredFaults } from './chaos/faultLeases.js';
import { faultKinds, faultReverters } from './chaos/faultKinds.js';
import { chaosAlertHook } from './chaos/chaosAlertHook.js';
import { FaultProxy, startToxiproxyServer } from './chaos/proxy/index.js';
import { EdgeProxies } from './chaos/edges/edgeProxies.js';
import { startServerChaos, type ServerChaos } from './chaos/serverChaos.js';
import { sliMinutePruner } from './slo/sliStore.js';
import { recordTargets } from './slo/sloReview.js';
import { sloApprovalCheck } from './slo/sloApproval.js';
import { registerSloMetrics } from './slo/sloMetrics.js';
import type { SloSpec } from './slo/sloKind.js';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './store/dataDirLock.js';
import { portAvailable } from './api/portCheck.js';
import { credentialsFrom, type Credential } from './api/credentials.js';
import type { ApiTokenSpec, ServiceSpec } from './config/kinds.js';
import { linkSecret } from './paging/ackLinks.js';
import { alertmanagerRoutingFrom } from './paging/alertmanagerRouting.js';
import { announceReplica, liveReplicas, withdrawReplica } from './store/replicaPresence.js';
import { readFileSync } from 'node:fs';

export interface ServeOptions {
  configDir?: string | undefined;
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  /** serve Toxiproxy's API for the fault proxies on this loopback port too (PRODENG_TOXIPROXY_PORT; Toxiproxy's own is 8474) */
  toxiproxyPort?: number | undefined;
  /** admin tokens (PRODENG_API_TOKENS); named, role-bound tokens are ApiToken documents in the config */
  apiTokens?: string[] | undefined;
  /** credentials the program starting the server made itself (the lab's token for its own hosts) */
  extraCredentials?: Credential[] | undefined;
  /** where ApiToken documents' secrets are read from (default process.env) */
  env?: NodeJS.ProcessEnv | undefined;
  resolveTimeoutMs?: number | undefined;
  maintenanceIntervalMs?: number | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  /** record what remediations would do, act on nothing */
  dryRun?: boolean | undefined;
  /** at most this many remediations started per window across all runbooks */
  globalRateLimit?: { count: number; per: number } | undefined;
  /** how long a worker holds a claimed remediation before another may take it over (default 10m) */
  remediationLeaseMs?: number | undefined;
  /** how often the remediation worker looks for work (0: only when runOnce is called) */
  remediationIntervalMs?: number | undefined;
  /** remediations one process runs side by side (default 16) */
  remediationConcurrency?: number | undefined;
  /** used by tests: the SQLite file name, or ':memory:' */
  sqliteFile?: string | undefined;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  config: LoadedConfig;
  maintenance: MaintenanceLoop;
  remediation: RemediationWorker;
  fleet: Fleet;
  probes: PeriodicTask<void> & { scheduler: ProbeScheduler };
  paging: PeriodicTask<number>;
  /** config Experiments run here and the game days (tests drive its game-day tick and wait for its runs) */
  chaos: ServerChaos;
  /** the scorecard monitor's tick (a leader task; tests call it with their clock) */
  scorecardTick(now: number): Promise<void>;
  close(): Promise<void>;
}

export class StartupError extends Error {
  constructor(
    readonly code: 'config_invalid' | 'unsafe_listen' | 'store_unavailable' | 'data_dir_in_use' | 'port_in_use',
    message: string,
  ) {
    super(message);
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function serviceDirectoryFrom(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): ServiceDirectory {
  return new ServiceDirectory(
    [...config.services.values()].map((doc) => ({
      name: doc.name,
      labels: doc.spec.labels ?? {},
      integrationKeys: (doc.spec.integrationKeys ?? []).map((k) => env[k.env]).filter((v): v is string => !!v),
    })),
  );
}

export function heartbeatDefinitionsFrom(config: LoadedConfig): Map<string, HeartbeatDefinition> {
  return new Map(
    [...config.heartbeats.values()].map((doc) => [
      doc.name,
      {
        name: doc.name,
        intervalMs: doc.spec.interval,
        graceMs: doc.spec.grace ?? 0,
        service: doc.spec.service ?? null,
        severity: doc.spec.severity ?? 'critical',
        summary: doc.spec.summary ?? null,
        labels: doc.spec.labels ?? {},
      },
    ]),
  );
}

/** Hosts per scope from the config's Host documents ("cluster=eu-1", "service=web", or any host label). */
export function scopeSizeFrom(config: LoadedConfig): (scope: string) => number | null {
  return (scope) => {
    const [per, value] = scope.split('=', 2) as [string, string];
    const hosts = [...config.hosts.values()];
    let n = hosts.filter((h) => (per === 'cluster' ? h.spec.cluster : per === 'service' ? h.spec.service : h.spec.labels?.[per]) === value).length;
    // A pool counts as its desired capacity in its service, cluster and labels.
    for (const pool of config.byKind<HostPoolSpec>('HostPool').values()) {
      // A cluster that starts empty adds nothing (after a turn-up its hosts are not counted: the gate errs strict).
      if (initialStateOf(pool) === 'down') continue;
      const v = per === 'pool' ? pool.name : per === 'cluster' ? pool.spec.cluster : per === 'service' ? pool.spec.service : pool.spec.labels[per];
      if (v === value) n += pool.spec.capacity;
    }
    return n > 0 ? n : null;
  };
}

/** Runs each stage's hook in the intake transaction, in order; none when no stage listens. */
function intakeHooks(...hooks: Array<FiringHook | undefined>): FiringHook | undefined {
  const active = hooks.filter((h): h is FiringHook => h !== undefined);
  if (active.length === 0) return undefined;
  if (active.length === 1) return active[0];
  return async (tx, alerts, now) => {
    for (const hook of active) await hook(tx, alerts, now);
  };
}

/** How long probe results are kept for availability and latency queries. */
const PROBE_RETENTION_MS = 7 * 24 * 3_600_000;

/** The demo shop's entry script in the build (tests run this file from src/, the shop always runs from dist/). */
function builtShopService(): string {
  return join(packageRoot(import.meta.url), 'dist', 'src', 'lab', 'shop', 'shopService.js');
}

/** The composition root: config, store, stages, HTTP, timers. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ level: process.env.PRODENG_LOG_LEVEL ?? 'info' });
  const host = opts.host ?? '127.0.0.1';

  const digestSettings = digestSettingsFromEnv(process.env);
  if (!digestSettings.ok) throw new StartupError('config_invalid', digestSettings.message);
  let config = emptyConfig();
  let plugins: PluginSet = { runbooks: [], byName: new Map(), errors: [] };
  if (opts.configDir) {
    const loaded = await loadConfiguration(opts.configDir);
    if (!loaded.ok) throw new StartupError('config_invalid', loaded.errors.map(formatConfigError).join('\n'));
    for (const w of loaded.warnings) logger.warn(formatConfigError(w));
    config = loaded.config;
    plugins = loaded.plugins;
  }
  let credentials: Credential[];
  try {
    credentials = credentialsFrom(opts.apiTokens ?? [], config.byKind<ApiTokenSpec>('ApiToken').values(), opts.env ?? process.env);
    if (credentials.length > 0) credentials.push(...(opts.extraCredentials ?? []));
  } catch (err) {
    throw new StartupError('config_invalid', (err as Error).message);
  }
  if (credentials.length === 0 && !isLoopbackHost(host)) {
    throw new StartupError(
      'unsafe_listen',
      `refusing to listen on ${host} without authentication: set PRODENG_API_TOKENS (comma-separated) or declare ApiToken documents, or listen on 127.0.0.1`,
    );
  }
  const publicUrlSetting = process.env.PRODENG_PUBLIC_URL || null;

  const clock = opts.clock ?? systemClock;
  // Both before the store is read: a second start that cannot run must not touch the first one's state.
  const portCheck = await portAvailable(host, opts.port ?? 8080);
  if (!portCheck.ok) throw new StartupError('port_in_use', portCheck.message);
  let dataDirLock: DataDirLock | null = null;
  if (!opts.databaseUrl && opts.sqliteFile !== ':memory:') {
    try {
      dataDirLock = lockDataDir(opts.dataDir ?? '.prodeng-data');
    } catch (err) {
      if (err instanceof DataDirInUseError) throw new StartupError('data_dir_in_use', err.message);
      throw err;
    }
  }
  let store: Store;
  try {
    store = await openStore({
      databaseUrl: opts.databaseUrl,
      dataDir: opts.dataDir,
      sqliteFile: opts.sqliteFile,
      onIdleConnectionError: (err) => logger.warn({ err: err.message }, 'an idle database connection failed; the pool opens a new one when needed'),
    });
  } catch (err) {
    dataDirLock?.release();
    throw new StartupError('store_unavailable', `cannot open the store: ${(err as Error).message}`);
  }
  const metrics = createEngineMetrics();
  registerFixedWithoutHumanRatio(metrics, store.db);
  const heartbeats = heartbeatDefinitionsFrom(config);
  const slos = [...config.byKind<SloSpec>('SLO').values()];
  await recordTargets(store.db, slos, clock.now());
  await registerHeartbeats(store, [...heartbeats.values()], clock.now());

  const pools = new Map([...config.byKind<HostPoolSpec>('HostPool').values()].map((p) => [p.name, p]));
  const fleetDataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'prodeng-fleet-'));
  // What local-process argv may use besides port, dataDir and host; prodengUrl is known once listening.
  const runtimeVars: Record<string, string> = { node: process.execPath, shopService: builtShopService() };
  const providers = new Map([...pools.values()].map((p) => [p.name, providerFor(p.name, p.spec.provider, { configDir: opts.configDir ?? '.', dataDir: fleetDataDir }, runtimeVars)]));
  const fleet = new Fleet(store, clock, logger, pools, providers);
  await syncDeclaredHosts(fleet, config.hosts.values(), clock.now());
  await forgetLostHosts(fleet, clock.now(), new Set(config.hosts.keys()));

  const runbooks = [...config.byKind<RunbookSpec>('Runbook').values(), ...plugins.runbooks];
  // Incidents group the alerts of their service; page-severity alerts no runbook handles open one.
  const incidentHook = config.services.size > 0 ? incidentIntakeHook(runbooks) : undefined;
  // Alerts of a service a chaos run is breaking carry the experiment's name (and are tickets unless the run pages); first, so the others see it.
  const chaosHook = config.services.size > 0 ? chaosAlertHook() : undefined;
  // The worker is woken once intake has committed a new remediation, not
  // inside the transaction (another connection would not see it yet).
  let remediationCreated = false;
  let remediation: RemediationWorker | undefined;
  const groupCommitter = new GroupCommitter(store, clock, intakeHooks(chaosHook, runbooks.length > 0 ? remediationIntakeHook(runbooks, () => (remediationCreated = true), store.dialect) : undefined, incidentHook));
  const committer = {
    async commit(events: Parameters<GroupCommitter['commit']>[0]) {
      const results = await groupCommitter.commit(events);
      if (remediationCreated) {
        remediationCreated = false;
        remediation?.wake();
      }
      return results;
    },
  };
  // Without runbooks or services nothing listens, and intake skips building the list.
  const onFiring = intakeHooks(chaosHook, runbooks.length > 0 ? remediationIntakeHook(runbooks, undefined, store.dialect) : undefined, incidentHook);
  const digestTeams = {
    serviceOwners: new Map([...config.services.values()].map((s) => [s.name, s.spec.owner])),
    teamEmails: teamEmailsFrom(pagingDirectoryFrom(config)),
    slos: slos.map((s) => ({ name: s.name, service: s.spec.service, objective: s.spec.objective })),
    upkeepDue: upkeepDueSource(store.db, config),
  };
  const liveSchedules = new LiveSchedules(store, clock, [...config.byKind<ScheduleSpec>('Schedule').values()]);
  const services = serviceDirectoryFrom(config);
  const resolveTimeoutMs = opts.resolveTimeoutMs ?? 5 * 60_000;
  // Who this replica is to its peers (Alertmanager's cluster status); the address is known once listening.
  const replicaId = randomUUID();
  let listenUrl = '';
  const announce = () => announceReplica(store.db, { id: replicaId, address: peerAddressOf(publicUrlSetting ?? listenUrl), ttlMs: 30_000, now: clock.now() });
  // TCP fault proxies for chaos experiments: Toxiproxy's API on prodeng's (with its auth), and on its own
  // loopback port when asked for (Toxiproxy's clients expect no auth there, so it is never on another interface).
  const faultProxy = new FaultProxy();
  const edgeProxies = new EdgeProxies(faultProxy, new Set([...config.byKind<ServiceSpec>('Service').values()].filter((s) => s.spec.faultProxy).map((s) => s.metadata.name)));
  const toxiproxyPort = opts.toxiproxyPort ?? (process.env.PRODENG_TOXIPROXY_PORT ? Number(process.env.PRODENG_TOXIPROXY_PORT) : undefined);
  const toxiproxy = toxiproxyPort === undefined ? undefined : await startToxiproxyServer({ host: '127.0.0.1', port: toxiproxyPort, proxy: faultProxy });
  // Config Experiments run by this replica (asked over HTTP, or by a game day); their faults go through the same kinds.
  const serverChaos = startServerChaos({ store, kinds: faultKinds(store.db, faultProxy, edgeProxies), clock, logger, config, env: opts.env ?? process.env, owner: replicaId });
  const app = buildApi({
    serverChaos,
    faultProxy,
    edgeProxies,
    serviceDependencies: new Map([...config.services.values()].map((s) => [s.name, (s.spec.dependsOn ?? []).map((d) => ({ service: d.service, required: d.required }))])),
    config,
    upkeepOptions: { registry: process.env.PRODENG_NPM_REGISTRY || undefined, cacheDir: join(opts.dataDir ?? '.prodeng-data', 'upkeep-cache'), logger },
    store,
    clock,
    services,
    committer,
    heartbeats,
    slos,
    runbooks,
    scopeSize: scopeSizeFrom(config),
    dryRun: opts.dryRun ?? false,
    globalLimits: { rateLimit: opts.globalRateLimit },
    metrics,
    credentials,
    publicUrl: publicUrlSetting,
    resolveTimeoutMs,
    logger,
    onSilencesChanged: async () => void (await reapplySilences(store, clock.now(), onFiring)),
    fleet,
    schedules: [...config.byKind<ScheduleSpec>('Schedule').values()],
    liveSchedules,
    userNames: [...config.users.keys()],
    // Feeds are signed once tokens guard the API; the key is the store's own link secret, so no token's value is used as one.
    feedSecret: credentials.length > 0 ? await linkSecret(store.db) : null,
    serviceOwners: digestTeams.serviceOwners,
    teamEmails: digestTeams.teamEmails,
    alertmanager: {
      routing: alertmanagerRoutingFrom(pagingDirectoryFrom(config), [...services.entries()], resolveTimeoutMs),
      versionInfo: prodengVersionInfo(),
      startedAt: clock.now(),
      async cluster() {
        // One process on SQLite: no cluster, as an Alertmanager started without peers says.
        if (store.dialect === 'sqlite') return { status: 'disabled', peers: [] };
        await announce();
        const peers = await liveReplicas(store.db, clock.now());
        return { name: replicaId, status: 'ready', peers: peers.map((p) => ({ name: p.id, address: p.address })) };
      },
    },
  });
  const sloEvaluator = new SloEvaluator(store, slos, onFiring, logger);
  // The dead man's switch: faults whose chaos run stopped renewing their lease are reverted by the leader.
  const chaosReverters = faultReverters(faultKinds(store.db, faultProxy, edgeProxies));
  registerSloMetrics(metrics, store.db, slos);
  const scorecardTask = scorecardMonitorTask(store, config, logger);
  // The upkeep checks read repositories, a registry and TLS endpoints: hourly, in the background.
  const upkeepOptions = { registry: process.env.PRODENG_NPM_REGISTRY || undefined, cacheDir: join(opts.dataDir ?? '.prodeng-data', 'upkeep-cache'), logger };
  const upkeep = upkeepTask(store.db, config, { ...upkeepOptions, clock });
  const maintenanceIntervalMs = opts.maintenanceIntervalMs ?? 1000;
  const maintenance = startMaintenanceLoop({
    store,
    clock,
    heartbeats,
    metrics,
    logger,
    onFiring,
    intervalMs: maintenanceIntervalMs,
    leaderTasks: [async (now) => void (await sloEvaluator.tick(now)), sliMinutePruner(store.db), (now) => reconcileCapacity(fleet, now), async (now) => void (await pruneProbeResults(store.db, now - PROBE_RETENTION_MS)), async (now) => void (await recoverOrphanedRemediations(store.db, now, logger)), async (now) => void (await revertExpiredFaults(store.db, chaosReverters, now, logger)), (now) => serverChaos.gameDayTick(now), scorecardTask, upkeep],
  });
  const stopDigests = startDailyDigests({ cron: digestSettings.cron, timeZone: digestSettings.timeZone, db: store.db, clock, logger, teams: digestTeams, isLeader: () => maintenance.isLeader() });
  const scheduler = new ProbeScheduler({
    store,
    clock,
    logger,
    probes: [...config.byKind<ProbeSpec>('Probe').values()],
    commit: (events) => committer.commit(events),
    isLeader: () => maintenance.isLeader(),
  });
  const probeTask = periodicTask(() => scheduler.tick(), { intervalMs: maintenanceIntervalMs > 0 ? 100 : 0, fallback: undefined, onError: (err) => logger.error({ err }, 'probe tick failed') });
  const probes = { ...probeTask, runOnce: () => scheduler.runOnce(), scheduler };
  const presenceTask = periodicTask(announce, { intervalMs: store.dialect === 'postgres' && maintenanceIntervalMs > 0 ? 10_000 : 0, fallback: undefined, onError: (err) => logger.warn({ err }, 'announcing this replica failed') });
  registerProbeMetrics(metrics.registry, scheduler.stats);
  let publicUrl = publicUrlSetting ?? '';
  // Paging looks often: a page is only as fast as the worker that sends it.
  const directory = pagingDirectoryFrom(config);
  const paging = startPagingWorker(
    {
      store,
      clock,
      logger,
      directory,
      liveSchedules,
      baseUrl: () => publicUrl,
      owner: randomUUID(),
      perUserPerMinute: Number(process.env.PRODENG_PAGES_PER_USER_PER_MINUTE ?? 10),
      messages: { [SLO_NOTICE_WORK]: (payload, now) => sendSloNotice(store, directory, payload, now), [SCORECARD_NOTICE_WORK]: (payload, now) => sendScorecardNotice(store, directory, payload, now) },
    },
    maintenanceIntervalMs > 0 ? 200 : 0,
  );
  remediation = startRemediationWorker(
    { store, clock, logger, dryRun: opts.dryRun ?? false, owner: randomUUID(), scopeSize: scopeSizeFrom(config), leaseMs: opts.remediationLeaseMs, metrics, global: { rateLimit: opts.globalRateLimit }, plugins: plugins.byName, fleet, sloApproval: sloApprovalCheck(slos) },
    opts.remediationIntervalMs ?? opts.maintenanceIntervalMs ?? 1000,
    opts.remediationConcurrency,
  );

  try {
    await app.listen({ port: opts.port ?? 8080, host });
  } catch (err) {
    stopDigests();
    await presenceTask.stop();
    await paging.stop();
    await probeTask.stop();
    await maintenance.stop();
    await remediation.stop();
    await fleet.close();
    await store.close();
    dataDirLock?.release();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  runtimeVars.prodengUrl = url;
  publicUrl ||= url;
  listenUrl = url;
  if (store.dialect === 'postgres') void presenceTask.runOnce();
  logger.info({ url, store: store.dialect, location: store.location, services: config.services.size }, 'prodeng is listening');

  return {
    url,
    app,
    store,
    config,
    maintenance,
    remediation,
    fleet,
    probes,
    paging,
    chaos: serverChaos,
    scorecardTick: (now) => scorecardTask(now),
    async close() {
      stopDigests();
      await serverChaos.close();
      await app.close();
      await toxiproxy?.close();
      await faultProxy.close();
      await presenceTask.stop();
      if (store.dialect === 'postgres') await withdrawReplica(store.db, replicaId).catch(() => undefined);
      await paging.stop();
      await probeTask.stop();
      await maintenance.stop();
      await remediation.stop();
      await fleet.close();
      await store.close();
      dataDirLock?.release();
    },
  };
}

/** Alertmanager's versionInfo, filled with prodeng's: tools show it, and amtool only needs it present. */
function prodengVersionInfo() {
  const pkg = JSON.parse(readFileSync(join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, revision: 'prodeng', branch: '', buildUser: 'prodeng', buildDate: '', goVersion: `none (Node.js ${process.version})` };
}

/** A peer's address as Alertmanager gives it, host:port (its URL's, the scheme's port when none is written). */
function peerAddressOf(url: string): string {
  if (!url) return '';
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}
