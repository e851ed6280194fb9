import { handOverToHuman } from '../incidents/handover.js';
import { automationState } from '../remediation/automationSwitch.js';
import type { Fleet } from './fleet.js';
import type { HostPoolDoc } from './hostPoolKind.js';
import { failingHostNames } from './hostHealth.js';
import { listHosts, transitionHost } from './hosts.js';
import { desiredPoolStates } from './cluster/clusterStates.js';

const STUCK_PROVISIONING_GRACE_MS = 2 * 60_000;

/**
 * Keeps each pool at its desired number of in-service hosts: provisions
 * what is missing (within maxSurge and the pool's provisioning rate) and
 * retires a surplus (a repaired host came back). Runs on the leader only.
 * Nothing moves while automation is paused.
 */
export async function reconcileCapacity(fleet: Fleet, now: number): Promise<void> {
  if ((await automationState(fleet.store.db)).paused) return;
  const desired = await desiredPoolStates(fleet.store.db, fleet.pools.values());
  for (const pool of fleet.pools.values()) {
    const state = desired.get(pool.name) ?? 'up';
    // A cluster being turned up or down (or a service moving) is moved by that operation, not fought here.
    if (state === 'turning-up' || state === 'turning-down') continue;
    // A down cluster's pools want no hosts: any left over (a restart, a host repaired back) are retired.
    await reconcilePool(fleet, state === 'down' ? { ...pool, spec: { ...pool.spec, capacity: 0 } } : pool, now);
  }
}

async function reconcilePool(fleet: Fleet, pool: HostPoolDoc, now: number): Promise<void> {
  const db = fleet.store.db;
  const hosts = await listHosts(db, { pool: pool.name });
  const inFlightHere = fleet.inFlight.get(pool.name) ?? 0;
  // A provisioning no process is working on (its process died) is abandoned.
  if (inFlightHere === 0) {
    for (const h of hosts.filter((x) => x.state === 'provisioning' && now - x.created_at > pool.spec.readiness.within + STUCK_PROVISIONING_GRACE_MS)) {
      await transitionHost(db, h.name, 'decommissioned', { actor: `pool ${pool.name}`, reason: 'provisioning never finished (the process doing it stopped)', now });
    }
  }
  // Capacity is healthy hosts: in service and passing their probes. A dead host still in service is not capacity,
  // and never a reason to retire the healthy stand-in beside it.
  const inService = hosts.filter((h) => h.state === 'in_service');
  const failing = await failingHostNames(db, inService.map((h) => h.name));
  const serving = inService.filter((h) => !failing.has(h.name));
  const provisioning = hosts.filter((h) => h.state === 'provisioning').length;
  const live = hosts.filter((h) => h.state !== 'decommissioned').length;
  const missing = pool.spec.capacity - serving.length - provisioning;
  if (missing > 0) {
    const recent = hosts.filter((h) => h.created_at > now - 60_000).length;
    const allowed = Math.min(missing, pool.spec.capacity + pool.spec.maxSurge - live, pool.spec.provisionsPerMinute - recent);
    for (let i = 0; i < allowed; i++) {
      fleet
        .provisionHost(pool.name, { actor: `pool ${pool.name}`, reason: `below capacity: ${serving.length} of ${pool.spec.capacity} in service and healthy${failing.size ? ` (${[...failing].join(', ')} failing)` : ''}` })
        .catch((err: Error) => escalateProvisioning(fleet, pool, err.message));
    }
    return;
  }
  // During a drain, replacement or maintenance window the extra host is a stand-in, not a surplus.
  if (serving.length > pool.spec.capacity && provisioning === 0 && !(fleet.busy.get(pool.name) ?? 0)) {
    // Retire the newest first: the host that came back from repair is the known-good one.
    const surplus = [...serving].sort((a, b) => b.created_at - a.created_at).slice(0, serving.length - pool.spec.capacity);
    for (const h of surplus) {
      await fleet
        .decommission(h.name, { actor: `pool ${pool.name}`, reason: `pool above capacity (${serving.length} in service and healthy, capacity ${pool.spec.capacity})` })
        .catch((err: Error) => fleet.logger.warn({ host: h.name, err: err.message }, 'retiring a surplus host failed'));
    }
  }
}

async function escalateProvisioning(fleet: Fleet, pool: HostPoolDoc, why: string): Promise<void> {
  const now = fleet.clock.now();
  const title = `pool ${pool.name} cannot provision hosts`;
  fleet.logger.warn({ pool: pool.name, err: why }, 'provisioning failed');
  const open = await fleet.store.db.selectFrom('incidents').select('id').where('title', '=', title).where('created_at', '>=', now - 10 * 60_000).executeTakeFirst();
  if (open) return;
  await handOverToHuman(fleet.store.db, { title, service: pool.spec.service, remediationId: null, alertIds: [], story: [`${new Date(now).toISOString()} ${why}`] }, now);
}
