import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { Clock } from '../store/clock.js';
import type { HostRow } from '../store/schema.js';
import type { DbOrTx, Store } from '../store/store.js';
import { FleetError } from './hostErrors.js';
import type { HostPoolDoc } from './hostPoolKind.js';
import { getHost, insertHost, listHosts, mustGetHost, transitionHost } from './hosts.js';
import type { Provider, ProvidedHost } from './providers/provider.js';
import { ProviderError } from './providers/provider.js';
import { waitUntilReady } from './readiness.js';

export interface OperationOptions {
  actor: string;
  reason: string;
  signal?: AbortSignal;
}

const provided = (row: HostRow): ProvidedHost => ({ name: row.name, pool: row.pool ?? '', address: row.address, ref: row.provider_ref });

/**
 * The fleet's operations: provision, take out of service, drain, repair,
 * replace, reboot, decommission. Each moves hosts through the checked
 * lifecycle and records who and why; a provider's failure is recorded on
 * the host and thrown as a FleetError, never swallowed.
 */
export class Fleet {
  /** provisions under way in this process, per pool (the reconciler counts them) */
  readonly inFlight = new Map<string, number>();
  /** drains, replacements and maintenance windows under way, per pool: a stand-in is not a surplus to trim */
  readonly busy = new Map<string, number>();

  private async whileBusy<T>(pool: string | null, work: () => Promise<T>): Promise<T> {
    if (!pool) return work();
    this.busy.set(pool, (this.busy.get(pool) ?? 0) + 1);
    try {
      return await work();
    } finally {
      this.busy.set(pool, (this.busy.get(pool) ?? 1) - 1);
    }
  }

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly pools: Map<string, HostPoolDoc>,
    readonly providers: Map<string, Provider>,
  ) {}

  pool(name: string): HostPoolDoc {
    const pool = this.pools.get(name);
    if (!pool) throw new FleetError('pool_not_found', `no HostPool named ${name}`);
    return pool;
  }

  private providerOf(row: HostRow): Provider {
    const provider = row.pool ? this.providers.get(row.pool) : undefined;
    if (!provider) throw new FleetError('provider_failed', `host ${row.name} has no provider (it was declared as a Host, not made by a pool); prodeng can only record its state`);
    return provider;
  }

  /** Creates a host in the pool and waits until it is in service (or decommissioned, with the reason thrown). */
  async provisionHost(poolName: string, opts: OperationOptions & { replaces?: string }): Promise<HostRow> {
    const pool = this.pool(poolName);
    const provider = this.providers.get(poolName)!;
    this.inFlight.set(poolName, (this.inFlight.get(poolName) ?? 0) + 1);
    try {
      const name = await this.store.db.transaction().execute(async (tx) => {
        // Two provisions of one pool at once must not pick the same name.
        if (this.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`prodeng.pool:${poolName}`}))`.execute(tx);
        const free = await this.nextHostNameIn(tx, poolName);
        await insertHost(
          tx,
          { name: free, pool: poolName, service: pool.spec.service, cluster: pool.spec.cluster ?? null, labels: pool.spec.labels, provider: provider.type, state: 'provisioning', reason: opts.reason, origin: 'pool', replaces: opts.replaces ?? null },
          opts.actor,
          this.clock.now(),
        );
        return free;
      });
      const inUse = (await listHosts(this.store.db, { pool: poolName })).filter((h) => h.state !== 'decommissioned' && h.provider_ref).map((h) => h.provider_ref!);
      let made;
      try {
        made = await provider.provision({ pool: poolName, host: name, service: pool.spec.service, cluster: pool.spec.cluster ?? null, labels: pool.spec.labels, inUse }, opts.signal ?? new AbortController().signal);
      } catch (err) {
        await transitionHost(this.store.db, name, 'decommissioned', { actor: opts.actor, reason: `provisioning failed: ${(err as Error).message}`, now: this.clock.now() });
        throw new FleetError('provider_failed', `provisioning ${name} in pool ${poolName} failed: ${(err as Error).message}`);
      }
      await this.store.db.updateTable('hosts').set({ address: made.address, provider_ref: made.ref, updated_at: this.clock.now() }).where('name', '=', name).execute();
      const ready = await waitUntilReady(made.address, pool.spec.readiness, opts.signal);
      if (!ready.ready) {
        await provider.decommission({ name, pool: poolName, address: made.address, ref: made.ref }, new AbortController().signal).catch(() => undefined);
        await transitionHost(this.store.db, name, 'decommissioned', { actor: opts.actor, reason: `never became ready: ${ready.summary}`, now: this.clock.now() });
        throw new FleetError('provider_failed', `${name} in pool ${poolName} never became ready: ${ready.summary}`);
      }
      return transitionHost(this.store.db, name, 'in_service', { actor: opts.actor, reason: `provisioned at ${made.address}; ${ready.summary}`, now: this.clock.now() });
    } finally {
      this.inFlight.set(poolName, (this.inFlight.get(poolName) ?? 1) - 1);
    }
  }

  private async nextHostNameIn(db: DbOrTx, pool: string): Promise<string> {
    const rows = await db.selectFrom('hosts').select('name').where('pool', '=', pool).execute();
    const names = new Set(rows.map((r) => r.name));
    for (let n = 1; ; n++) if (!names.has(`${pool}-${n}`)) return `${pool}-${n}`;
  }

  /** A failed host leaves service at once: out of discovery, then out of service. */
  async takeOutOfService(name: string, opts: OperationOptions): Promise<HostRow> {
    const row = await mustGetHost(this.store.db, name);
    if (row.state === 'out_of_service') return row;
    if (row.state === 'in_service') await transitionHost(this.store.db, name, 'draining', { ...opts, now: this.clock.now() });
    return transitionHost(this.store.db, name, 'out_of_service', { ...opts, now: this.clock.now() });
  }

  /**
   * Drains a host for maintenance. In a pool, a replacement is provisioned
   * first when the pool allows surge, so capacity does not drop; the host
   * then leaves discovery, keeps serving in-flight work for the pool's
   * drain grace, and is out of service until undrained.
   */
  async drain(name: string, opts: OperationOptions): Promise<HostRow> {
    const row = await mustGetHost(this.store.db, name);
    return this.whileBusy(row.pool, () => this.drainHost(row, opts));
  }

  private async drainHost(row: HostRow, opts: OperationOptions): Promise<HostRow> {
    const name = row.name;
    if (row.state !== 'in_service') throw new FleetError('illegal_transition', `host ${name} is ${row.state}; only an in-service host can be drained`);
    const pool = row.pool ? this.pools.get(row.pool) : undefined;
    if (pool && (await this.surgeRoom(pool)) > 0) {
      await this.provisionHost(pool.name, { actor: opts.actor, reason: `standing in for ${name} while it is drained: ${opts.reason}`, replaces: name, ...(opts.signal ? { signal: opts.signal } : {}) });
    }
    await transitionHost(this.store.db, name, 'draining', { ...opts, now: this.clock.now(), set: { drained_by: opts.actor } });
    await new Promise((r) => setTimeout(r, pool?.spec.drainGrace ?? 0));
    return transitionHost(this.store.db, name, 'out_of_service', { actor: opts.actor, reason: `drained: ${opts.reason}`, now: this.clock.now() });
  }

  /** Returns a drained host to service once it answers its readiness check. */
  async undrain(name: string, opts: OperationOptions): Promise<HostRow> {
    const row = await mustGetHost(this.store.db, name);
    if (row.state !== 'draining' && row.state !== 'out_of_service') throw new FleetError('illegal_transition', `host ${name} is ${row.state}; only a draining or drained host can be undrained`);
    const pool = row.pool ? this.pools.get(row.pool) : undefined;
    if (pool && row.address) {
      const ready = await waitUntilReady(row.address, { ...pool.spec.readiness, within: Math.min(pool.spec.readiness.within, 5000) }, opts.signal);
      if (!ready.ready) throw new FleetError('illegal_transition', `host ${name} does not pass its readiness check, so it stays out of service: ${ready.summary}`);
    }
    return transitionHost(this.store.db, name, 'in_service', { ...opts, now: this.clock.now(), set: { drained_by: null } });
  }

  /** Hosts the pool may add beyond those it has before reaching capacity + maxSurge. */
  async surgeRoom(pool: HostPoolDoc): Promise<number> {
    const hosts = await listHosts(this.store.db, { pool: pool.name });
    const live = hosts.filter((h) => h.state !== 'decommissioned').length;
    return pool.spec.capacity + pool.spec.maxSurge - live;
  }

  async reboot(name: string, opts: OperationOptions): Promise<string> {
    const row = await mustGetHost(this.store.db, name);
    try {
      return await this.providerOf(row).reboot(provided(row), opts.signal ?? new AbortController().signal);
    } catch (err) {
      throw this.providerFailure(row, 'reboot', err);
    }
  }

  /**
   * Repairs an out-of-service host where it is; it returns to service when
   * it answers its readiness check, or goes back out of service.
   */
  async repair(name: string, opts: OperationOptions): Promise<HostRow> {
    const row = await transitionHost(this.store.db, name, 'repairing', { ...opts, from: 'out_of_service', now: this.clock.now() });
    const pool = this.pool(row.pool ?? '');
    let summary: string;
    try {
      summary = await this.providerOf(row).repair(provided(row), opts.signal ?? new AbortController().signal);
    } catch (err) {
      await transitionHost(this.store.db, name, 'out_of_service', { actor: opts.actor, reason: `repair failed: ${(err as Error).message}`, now: this.clock.now() });
      throw this.providerFailure(row, 'repair', err);
    }
    const ready = row.address ? await waitUntilReady(row.address, pool.spec.readiness, opts.signal) : { ready: false, summary: 'it has no address' };
    if (!ready.ready) {
      await transitionHost(this.store.db, name, 'out_of_service', { actor: opts.actor, reason: `repaired (${summary}) but ${ready.summary}`, now: this.clock.now() });
      throw new FleetError('provider_failed', `${name} was repaired (${summary}) but ${ready.summary}`);
    }
    return transitionHost(this.store.db, name, 'in_service', { actor: opts.actor, reason: `repaired: ${summary}; ${ready.summary}`, now: this.clock.now() });
  }

  /** Stops a host for good. An in-service host leaves service first. */
  async decommission(name: string, opts: OperationOptions): Promise<HostRow> {
    let row = await mustGetHost(this.store.db, name);
    if (row.state === 'in_service' || row.state === 'draining') row = await this.takeOutOfService(name, opts);
    if (row.state === 'repairing') throw new FleetError('illegal_transition', `host ${name} is being repaired; wait for the repair to end`);
    if (row.pool && this.providers.has(row.pool)) {
      try {
        await this.providerOf(row).decommission(provided(row), opts.signal ?? new AbortController().signal);
      } catch (err) {
        throw this.providerFailure(row, 'decommission', err);
      }
    }
    return transitionHost(this.store.db, name, 'decommissioned', { ...opts, now: this.clock.now() });
  }

  /**
   * FBAR's move: take the failed host out, bring a healthy one in, then try
   * to repair the old one in the background; repaired, it returns (and the
   * pool trims its surplus), otherwise it is decommissioned. Resolves once
   * the replacement serves.
   */
  async replace(name: string, opts: OperationOptions): Promise<{ replacement: HostRow; old: HostRow }> {
    const row = await mustGetHost(this.store.db, name);
    if (!row.pool) throw new FleetError('pool_not_found', `host ${name} belongs to no HostPool, so nothing can replace it`);
    return this.whileBusy(row.pool, () => this.replaceHost(row, opts));
  }

  private async replaceHost(row: HostRow, opts: OperationOptions): Promise<{ replacement: HostRow; old: HostRow }> {
    const name = row.name;
    if (!row.pool) throw new FleetError('pool_not_found', `host ${name} belongs to no HostPool, so nothing can replace it`);
    const pool = this.pool(row.pool);
    const old = await this.takeOutOfService(name, { ...opts, reason: `being replaced: ${opts.reason}` });
    if ((await this.surgeRoom(pool)) <= 0) {
      // No room to add first: retire the old host, then add.
      await this.decommission(name, { ...opts, reason: `retired to make room for its replacement (maxSurge ${pool.spec.maxSurge})` });
    }
    const replacement = await this.provisionHost(pool.name, { actor: opts.actor, reason: `replacing ${name}: ${opts.reason}`, replaces: name, ...(opts.signal ? { signal: opts.signal } : {}) });
    void this.repairOrRetire(name, opts.actor);
    return { replacement, old };
  }

  private async repairOrRetire(name: string, actor: string): Promise<void> {
    const row = await getHost(this.store.db, name);
    if (!row || row.state !== 'out_of_service') return;
    try {
      await this.repair(name, { actor, reason: 'repairing the replaced host' });
    } catch (err) {
      this.logger.warn({ host: name, err: (err as Error).message }, 'repair of a replaced host failed; decommissioning it');
      await this.decommission(name, { actor, reason: `could not be repaired: ${(err as Error).message}` }).catch((e) => this.logger.error({ host: name, err: e }, 'decommissioning failed'));
    }
  }

  private providerFailure(row: HostRow, operation: string, err: unknown): FleetError {
    if (err instanceof FleetError) return err;
    const message = err instanceof ProviderError || err instanceof Error ? err.message : String(err);
    this.logger.warn({ host: row.name, operation, err: message }, 'provider failed');
    return new FleetError('provider_failed', `${operation} of ${row.name} failed: ${message}`);
  }

  /** A batch larger than maxSurge cannot have a stand-in for every host, so capacity would drop. */
  checkMaintenanceBatch(poolName: string, batchSize: number): void {
    const pool = this.pool(poolName);
    if (batchSize > pool.spec.maxSurge) {
      throw new FleetError('capacity', `a batch of ${batchSize} would drop pool ${poolName} below capacity: it allows ${pool.spec.maxSurge} extra host(s) (maxSurge); use --batch ${Math.max(1, pool.spec.maxSurge)} or raise maxSurge`);
    }
  }

  /**
   * A maintenance window on a pool: its hosts are drained a batch at a time
   * (each with a stand-in provisioned first, so the pool stays at capacity),
   * held out of service for `holdMs` while the maintenance is done, returned,
   * and their stand-ins retired before the next batch.
   */
  async maintain(poolName: string, opts: OperationOptions & { batchSize: number; holdMs: number }): Promise<string[][]> {
    return this.whileBusy(poolName, () => this.maintainPool(poolName, opts));
  }

  private async maintainPool(poolName: string, opts: OperationOptions & { batchSize: number; holdMs: number }): Promise<string[][]> {
    this.checkMaintenanceBatch(poolName, opts.batchSize);
    const originals = (await listHosts(this.store.db, { pool: poolName, state: 'in_service' })).map((h) => h.name);
    const batches: string[][] = [];
    for (let i = 0; i < originals.length; i += opts.batchSize) batches.push(originals.slice(i, i + opts.batchSize));
    const reason = `maintenance window: ${opts.reason}`;
    for (const batch of batches) {
      for (const name of batch) await this.drain(name, { ...opts, reason });
      await new Promise((r) => setTimeout(r, opts.holdMs));
      for (const name of batch) await this.undrain(name, { ...opts, reason: `${reason} (done)` });
      const standIns = (await listHosts(this.store.db, { pool: poolName, state: 'in_service' })).filter((h) => h.replaces !== null && batch.includes(h.replaces));
      for (const h of standIns) await this.decommission(h.name, { actor: opts.actor, reason: `stood in for ${h.replaces} during the ${reason}; no longer needed` });
    }
    return batches;
  }

  async close(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.close?.()));
  }
}
