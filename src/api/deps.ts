import type { FaultProxy } from '../chaos/proxy/index.js';
import type { EdgeProxies } from '../chaos/edges/edgeProxies.js';
import type { DeclaredDependency } from '../chaos/sweep/sweepPlan.js';
import type { UpkeepOptions } from '../catalog/upkeep/upkeepRunner.js';
import type { ServerChaos } from '../chaos/serverChaos.js';
import type { Logger } from 'pino';
import type { Clock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import type { ServiceDirectory } from '../intake/serviceDirectory.js';
import type { GroupCommitter } from '../intake/groupCommit.js';
import type { HeartbeatDefinition } from '../probes/heartbeats.js';
import type { EngineMetrics } from '../reports/engineMetrics.js';
import type { ConfigDoc, LoadedConfig } from '../config/index.js';
import type { RunbookSpec } from '../remediation/runbookKind.js';
import type { GlobalLimits } from '../remediation/gates.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ScheduleDoc } from '../oncall/scheduleKind.js';
import type { LiveSchedules } from '../oncall/liveSchedules.js';
import type { Credential } from './credentials.js';
import type { AlertmanagerRouting } from '../paging/alertmanagerRouting.js';
import type { ClusterStatus } from './alertmanagerStatusRoutes.js';
import type { SloDoc } from '../slo/sloKind.js';

/** Everything the HTTP routes need, built once by the composition root. */
export interface ApiDeps {
  store: Store;
  /** the chaos stage's TCP fault proxies (Toxiproxy's API at /api/v1/chaos/toxiproxy) */
  faultProxy: FaultProxy;
  /** a fault proxy per dependency edge, for callers that name themselves in discovery */
  edgeProxies: EdgeProxies;
  /** every configured Service, with what it declares it calls (spec.dependsOn) */
  serviceDependencies: ReadonlyMap<string, readonly DeclaredDependency[]>;
  /** the config as loaded (the catalog and scorecard read Services, Teams, Schedules, exemptions and campaigns from it) */
  config: LoadedConfig;
  /** where the upkeep checks read registries and cache clones */
  upkeepOptions: UpkeepOptions;
  /** config Experiments run by this server, and the game days that schedule them */
  serverChaos: ServerChaos;
  clock: Clock;
  services: ServiceDirectory;
  committer: Pick<GroupCommitter, 'commit'>;
  heartbeats: Map<string, HeartbeatDefinition>;
  /** the configured SLOs */
  slos: SloDoc[];
  runbooks: ConfigDoc<RunbookSpec>[];
  /** hosts per maxUnhealthy scope, and the global dry-run, for plan previews */
  scopeSize: (scope: string) => number | null;
  dryRun: boolean;
  globalLimits: GlobalLimits;
  metrics: EngineMetrics;
  /** the API tokens the server accepts (none: loopback only, one local operator) */
  credentials: Credential[];
  /** PRODENG_PUBLIC_URL, when set: the name the server is reached by beyond loopback */
  publicUrl: string | null;
  resolveTimeoutMs: number;
  logger: Logger;
  /** called after silences change so open alerts are re-evaluated at once */
  onSilencesChanged(): Promise<void>;
  fleet: Fleet;
  schedules: ScheduleDoc[];
  /** the schedules with their stored overrides, one instance shared with paging (see LiveSchedules) */
  liveSchedules: LiveSchedules;
  /** names of the config's Users (an override may only name one of them) */
  userNames: readonly string[];
  /** signs calendar feed URLs; null when the server runs without API tokens */
  feedSecret: string | null;
  /** service -> owning team, for per-team reports */
  serviceOwners: ReadonlyMap<string, string>;
  /** team -> its members' email addresses, for the daily digest */
  teamEmails: (team: string) => string[];
  /** what Alertmanager's API v2 tells of this server: its routing, version, start and cluster */
  alertmanager: {
    routing: AlertmanagerRouting;
    versionInfo: { version: string; revision: string; branch: string; buildUser: string; buildDate: string; goVersion: string };
    startedAt: number;
    cluster(): Promise<ClusterStatus>;
  };
}
