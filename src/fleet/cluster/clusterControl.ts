import type { LoadedConfig } from '../../config/index.js';
import type { Fleet } from '../fleet.js';
import { FleetError } from '../hostErrors.js';
import type { HostPoolDoc } from '../hostPoolKind.js';
import type { ClusterDoc, ClusterSpec } from './clusterKind.js';
import { dependenciesIn } from './clusterKind.js';
import { turnUpOrder } from './clusterOrder.js';
import { desiredPoolStates, poolState, readCluster, updateCluster, type ClusterState } from './clusterStates.js';
import { initialStateOf, type DesiredState } from './initialState.js';
import { emptyPool, fillPool, poolHealth, type PoolHealth } from './poolMoves.js';

export interface Operation {
  kind: 'up' | 'down' | 'migrate';
  /** the clusters it moves */
  clusters: string[];
  service: string | null;
  by: string;
  reason: string;
  startedAt: string;
  finishedAt: string | null;
  state: 'running' | 'done' | 'failed';
  steps: Array<{ at: string; line: string }>;
  error: string | null;
}

export interface PoolView extends PoolHealth {
  name: string;
  service: string;
  state: ClusterState;
}

export interface ClusterView {
  name: string;
  description: string | null;
  initialState: DesiredState;
  state: ClusterState;
  changedAt: string | null;
  changedBy: string | null;
  /** why the last turn-up, turn-down or move stopped, until one succeeds */
  error: string | null;
  /** in turn-up order */
  pools: PoolView[];
  /** the last operation on it this process ran */
  operation: Operation | null;
}

export type Started = { ok: true; operation: Operation; done: Promise<void> } | { ok: false; status: 400 | 404 | 409; code: string; message: string };

interface Who {
  actor: string;
  reason: string;
}

const DEFAULT_DRAIN_WAIT_MS = 2500;

/**
 * Turns clusters up and down and moves services between them. The desired
 * state is stored (cluster_states) before anything moves, so the capacity
 * reconciler leaves a pool alone while it is moved and keeps it where it
 * was left afterwards, across restarts. One operation per cluster at a
 * time in this process; an interrupted one is finished by running it again.
 */
export class ClusterControl {
  private readonly last = new Map<string, Operation>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly fleet: Fleet,
    private readonly config: LoadedConfig,
  ) {}

  clusterDocs(): Map<string, ClusterDoc> {
    return this.config.byKind<ClusterSpec>('Cluster');
  }

  private initialOf(cluster: string): DesiredState {
    return this.clusterDocs().get(cluster)?.spec.initialState ?? 'up';
  }

  /** The cluster's pools in turn-up order (a config error when there is none: the loader refuses such a config). */
  orderedPools(cluster: string): HostPoolDoc[] {
    const pools = [...this.fleet.pools.values()].filter((p) => p.spec.cluster === cluster);
    const order = turnUpOrder(pools.map((p) => ({ name: p.name, service: p.spec.service })), dependenciesIn(this.config));
    if (!order.ok) throw new FleetError('capacity', `cluster ${cluster}: ${order.message}`);
    return order.order.map((name) => this.fleet.pool(name));
  }

  async view(name: string): Promise<ClusterView | null> {
    const doc = this.clusterDocs().get(name);
    if (!doc) return null;
    const record = await readCluster(this.fleet.store.db, name, doc.spec.initialState);
    const pools = await Promise.all(this.orderedPools(name).map(async (p) => ({ name: p.name, service: p.spec.service, state: poolState(record, p.name), ...(await poolHealth(this.fleet, p)) })));
    return {
      name,
      description: doc.spec.description ?? null,
      initialState: doc.spec.initialState,
      state: record.state,
      changedAt: record.changedAt === null ? null : new Date(record.changedAt).toISOString(),
      changedBy: record.changedBy,
      error: record.error,
      pools,
      operation: this.last.get(name) ?? null,
    };
  }

  async list(): Promise<ClusterView[]> {
    return (await Promise.all([...this.clusterDocs().keys()].sort().map((n) => this.view(n)))).filter((v): v is ClusterView => v !== null);
  }

  /** Brings the cluster's pools up one at a time in dependency order, each healthy before the next starts. */
  async startUp(cluster: string, who: Who): Promise<Started> {
    const refused = this.refuseUnknownOrBusy([cluster]);
    if (refused) return refused;
    const pools = this.orderedPools(cluster);
    return this.run({ kind: 'up', clusters: [cluster], service: null, ...who }, async (say) => {
      say(`turning cluster ${cluster} up: ${pools.map((p) => p.name).join(' → ')}`);
      await this.setStates(cluster, who.actor, (r) => {
        r.state = 'turning-up';
        r.error = null;
        // Pools not reached yet want nothing; those already up stay up.
        for (const p of pools) r.pools[p.name] = poolState(r, p.name) === 'up' ? 'up' : 'down';
      });
      for (const pool of pools) await this.bringUp(pool, who, say);
      await this.setStates(cluster, who.actor, (r) => void (r.state = 'up'));
      say(`cluster ${cluster} is up: ${pools.length} pool(s) healthy`);
    });
  }

  /** Empties the cluster's pools in reverse dependency order; refused when a service would be left with no healthy hosts anywhere, unless forced. */
  async startDown(cluster: string, who: Who & { force: boolean }): Promise<Started> {
    const refused = this.refuseUnknownOrBusy([cluster]);
    if (refused) return refused;
    const pools = this.orderedPools(cluster).reverse();
    if (!who.force) {
      const stranded = await this.servicesOnlyHere(cluster, pools);
      if (stranded.length > 0) {
        return {
          ok: false,
          status: 409,
          code: 'last_serving_cluster',
          message: `taking cluster ${cluster} down would leave ${stranded.join(', ')} with no healthy hosts in any other cluster: move ${stranded.length === 1 ? 'it' : 'them'} first (prodeng cluster migrate ${stranded[0]} --to CLUSTER), or force it (--force) if that outage is intended`,
        };
      }
    }
    return this.run({ kind: 'down', clusters: [cluster], service: null, actor: who.actor, reason: who.reason }, async (say) => {
      say(`turning cluster ${cluster} down: ${pools.map((p) => p.name).join(' → ')}`);
      await this.setStates(cluster, who.actor, (r) => {
        r.state = 'turning-down';
        r.error = null;
        for (const p of pools) r.pools[p.name] = poolState(r, p.name) === 'down' ? 'down' : 'up';
      });
      for (const pool of pools) await this.takeDown(pool, who, say);
      await this.setStates(cluster, who.actor, (r) => void (r.state = 'down'));
      say(`cluster ${cluster} is down`);
    });
  }

  /**
   * Moves a service to another cluster while it keeps serving: its pool
   * there is filled and healthy first, then its pools elsewhere are drained
   * (discovery lists only in-service hosts, so callers move over) and
   * decommissioned.
   */
  async startMigrate(service: string, to: string, who: Who): Promise<Started> {
    if (!this.clusterDocs().has(to)) return { ok: false, status: 404, code: 'cluster_not_found', message: `no Cluster named ${to} (clusters: ${[...this.clusterDocs().keys()].join(', ') || 'none'})` };
    const ofService = [...this.fleet.pools.values()].filter((p) => p.spec.service === service);
    if (ofService.length === 0) return { ok: false, status: 404, code: 'service_not_found', message: `no HostPool runs service ${service} (spec.service)` };
    const targets = ofService.filter((p) => p.spec.cluster === to);
    if (targets.length === 0) return { ok: false, status: 409, code: 'no_pool_there', message: `cluster ${to} has no HostPool for ${service}: add one with spec.service: ${service} and spec.cluster: ${to}` };
    const desired = await desiredPoolStates(this.fleet.store.db, ofService);
    const sources = ofService.filter((p) => p.spec.cluster !== to && desired.get(p.name) !== 'down');
    const unclustered = sources.find((p) => !p.spec.cluster);
    if (unclustered) return { ok: false, status: 409, code: 'pool_without_cluster', message: `pool ${unclustered.name} runs ${service} but names no cluster (spec.cluster), so it cannot be recorded as moved out: give it one` };
    const clusters = [...new Set([to, ...sources.map((p) => p.spec.cluster!)])];
    const refused = this.refuseUnknownOrBusy(clusters, false);
    if (refused) return refused;
    return this.run({ kind: 'migrate', clusters, service, ...who }, async (say) => {
      say(`moving ${service} to cluster ${to}: fill ${targets.map((p) => p.name).join(', ')}, then drain ${sources.map((p) => p.name).join(', ') || 'nothing (it runs nowhere else)'}`);
      for (const pool of targets) await this.bringUp(pool, who, say);
      for (const pool of sources) await this.takeDown(pool, who, say);
      say(`${service} now runs in cluster ${to}`);
    });
  }

  private async bringUp(pool: HostPoolDoc, who: Who, say: (line: string) => void): Promise<void> {
    const cluster = pool.spec.cluster!;
    await this.setStates(cluster, who.actor, (r) => void (r.pools[pool.name] = 'turning-up'));
    try {
      const health = await fillPool(this.fleet, pool, { actor: who.actor, reason: `turning up cluster ${cluster}: ${who.reason}`, say });
      await this.setStates(cluster, who.actor, (r) => void (r.pools[pool.name] = 'up'));
      say(`pool ${pool.name}: healthy (${health.healthy} of ${health.capacity})`);
    } catch (err) {
      // Down, so the reconciler retires what did start; run the turn-up again once the cause is fixed.
      const message = `pool ${pool.name} did not come up: ${(err as Error).message}`;
      await this.setStates(cluster, who.actor, (r) => {
        r.pools[pool.name] = 'down';
        r.error = message;
      });
      throw new FleetError('provider_failed', message);
    }
  }

  private async takeDown(pool: HostPoolDoc, who: Who, say: (line: string) => void): Promise<void> {
    const cluster = pool.spec.cluster!;
    await this.setStates(cluster, who.actor, (r) => void (r.pools[pool.name] = 'turning-down'));
    const drainWait = this.clusterDocs().get(cluster)?.spec.drainWait ?? DEFAULT_DRAIN_WAIT_MS;
    try {
      await emptyPool(this.fleet, pool, drainWait, { actor: who.actor, reason: `turning down cluster ${cluster}: ${who.reason}`, say });
      await this.setStates(cluster, who.actor, (r) => void (r.pools[pool.name] = 'down'));
      say(`pool ${pool.name}: down`);
    } catch (err) {
      // Down all the same: the reconciler retires what is left of it.
      const message = `pool ${pool.name} did not drain cleanly: ${(err as Error).message}`;
      await this.setStates(cluster, who.actor, (r) => {
        r.pools[pool.name] = 'down';
        r.error = message;
      });
      throw new FleetError('provider_failed', message);
    }
  }

  /** Services of these pools that no pool outside the cluster serves with at least one healthy host. */
  private async servicesOnlyHere(cluster: string, pools: HostPoolDoc[]): Promise<string[]> {
    const desired = await desiredPoolStates(this.fleet.store.db, this.fleet.pools.values());
    const stranded: string[] = [];
    for (const service of new Set(pools.filter((p) => desired.get(p.name) !== 'down').map((p) => p.spec.service))) {
      const elsewhere = [...this.fleet.pools.values()].filter((p) => p.spec.service === service && p.spec.cluster !== cluster && (desired.get(p.name) ?? 'up') === 'up');
      const healthy = await Promise.all(elsewhere.map(async (p) => (await poolHealth(this.fleet, p)).healthy));
      if (!healthy.some((n) => n > 0)) stranded.push(service);
    }
    return stranded.sort();
  }

  private refuseUnknownOrBusy(clusters: string[], mustBeDeclared = true): Extract<Started, { ok: false }> | null {
    for (const c of clusters) {
      if (mustBeDeclared && !this.clusterDocs().has(c)) return { ok: false, status: 404, code: 'cluster_not_found', message: `no Cluster named ${c} (clusters: ${[...this.clusterDocs().keys()].join(', ') || 'none'})` };
      if (this.busy.has(c)) {
        const op = this.last.get(c);
        return { ok: false, status: 409, code: 'cluster_busy', message: `cluster ${c} is being moved (${op ? `${op.kind}${op.service ? ` ${op.service}` : ''} by ${op.by}, since ${op.startedAt}` : 'an operation is under way'}); wait for it to finish` };
      }
    }
    return null;
  }

  private setStates(cluster: string, by: string, change: Parameters<typeof updateCluster>[5]) {
    const pool = [...this.fleet.pools.values()].find((p) => p.spec.cluster === cluster);
    const initial = this.clusterDocs().has(cluster) ? this.initialOf(cluster) : pool ? initialStateOf(pool) : 'up';
    return updateCluster(this.fleet.store.db, cluster, initial, by, this.fleet.clock.now(), change);
  }

  private run(base: Pick<Operation, 'kind' | 'clusters' | 'service'> & Who, work: (say: (line: string) => void) => Promise<void>): Started {
    const now = () => new Date(this.fleet.clock.now()).toISOString();
    const op: Operation = { kind: base.kind, clusters: base.clusters, service: base.service, by: base.actor, reason: base.reason, startedAt: now(), finishedAt: null, state: 'running', steps: [], error: null };
    const say = (line: string) => {
      op.steps.push({ at: now(), line });
      this.fleet.logger.info({ clusters: op.clusters, operation: op.kind }, line);
    };
    for (const c of op.clusters) {
      this.busy.add(c);
      this.last.set(c, op);
    }
    const done = work(say).then(
      () => void Object.assign(op, { state: 'done', finishedAt: now() }),
      (err: Error) => {
        say(`stopped: ${err.message}`);
        Object.assign(op, { state: 'failed', error: err.message, finishedAt: now() });
      },
    ).finally(() => {
      for (const c of op.clusters) this.busy.delete(c);
    });
    return { ok: true, operation: op, done };
  }
}
