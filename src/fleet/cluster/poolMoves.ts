import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from '../fleet.js';
import { FleetError } from '../hostErrors.js';
import { failingHostNames } from '../hostHealth.js';
import type { HostPoolDoc } from '../hostPoolKind.js';
import { listHosts, transitionHost } from '../hosts.js';
import { waitUntilReady } from '../readiness.js';

export interface PoolHealth {
  capacity: number;
  inService: number;
  /** in service and passing their probes: what capacity counts */
  healthy: number;
  provisioning: number;
  /** draining, out of service or being repaired */
  out: number;
}

export async function poolHealth(fleet: Fleet, pool: HostPoolDoc): Promise<PoolHealth> {
  const hosts = await listHosts(fleet.store.db, { pool: pool.name });
  const inService = hosts.filter((h) => h.state === 'in_service');
  const failing = await failingHostNames(fleet.store.db, inService.map((h) => h.name));
  return {
    capacity: pool.spec.capacity,
    inService: inService.length,
    healthy: inService.length - failing.size,
    provisioning: hosts.filter((h) => h.state === 'provisioning').length,
    out: hosts.filter((h) => h.state === 'draining' || h.state === 'out_of_service' || h.state === 'repairing').length,
  };
}

export interface MoveOptions {
  actor: string;
  reason: string;
  /** one line per thing done, for the operation's log */
  say: (line: string) => void;
}

/**
 * Fills an empty (or short) pool to capacity and waits until it is healthy:
 * its capacity in service, each host passing its readiness check now, none
 * failing a probe. Provisions only what is missing, so running it again
 * after an interrupted turn-up finishes the job.
 */
export async function fillPool(fleet: Fleet, pool: HostPoolDoc, opts: MoveOptions): Promise<PoolHealth> {
  const before = await poolHealth(fleet, pool);
  const missing = pool.spec.capacity - before.healthy - before.provisioning;
  if (missing > 0) {
    opts.say(`pool ${pool.name}: provisioning ${missing} host(s) for ${pool.spec.service} (${before.healthy} of ${pool.spec.capacity} healthy)`);
    const made = await Promise.allSettled(Array.from({ length: missing }, () => fleet.provisionHost(pool.name, { actor: opts.actor, reason: opts.reason })));
    const failed = made.filter((m): m is PromiseRejectedResult => m.status === 'rejected');
    if (failed.length > 0) throw new FleetError('provider_failed', `pool ${pool.name}: ${failed.length} of ${missing} host(s) did not come up: ${(failed[0]!.reason as Error).message}`);
    for (const m of made) if (m.status === 'fulfilled') opts.say(`pool ${pool.name}: ${m.value.name} in service at ${m.value.address}`);
  }
  return waitHealthy(fleet, pool);
}

async function waitHealthy(fleet: Fleet, pool: HostPoolDoc): Promise<PoolHealth> {
  const deadline = Date.now() + pool.spec.readiness.within;
  for (;;) {
    const health = await poolHealth(fleet, pool);
    if (health.healthy >= pool.spec.capacity && (await everyHostReady(fleet, pool))) return health;
    if (Date.now() > deadline) {
      throw new FleetError('capacity', `pool ${pool.name} is not healthy within ${Math.round(pool.spec.readiness.within / 1000)}s: ${health.healthy} of ${pool.spec.capacity} in service and passing their probes (${health.provisioning} provisioning)`);
    }
    await sleep(200);
  }
}

/** Each in-service host answers its readiness check right now (one try each; a host that just crashed is not healthy). */
async function everyHostReady(fleet: Fleet, pool: HostPoolDoc): Promise<boolean> {
  const hosts = await listHosts(fleet.store.db, { pool: pool.name, state: 'in_service' });
  const checks = await Promise.all(hosts.map((h) => (h.address ? waitUntilReady(h.address, { ...pool.spec.readiness, within: 1000 }) : Promise.resolve({ ready: false }))));
  return checks.every((c) => c.ready);
}

/**
 * Empties a pool without failing its callers: every host leaves discovery at
 * once (callers move to the hosts that remain elsewhere), keeps serving for
 * `drainWaitMs` (or the pool's drainGrace, if longer) while callers see the
 * change and finish what they sent, then is decommissioned.
 */
export async function emptyPool(fleet: Fleet, pool: HostPoolDoc, drainWaitMs: number, opts: MoveOptions): Promise<void> {
  const db = fleet.store.db;
  // A host still starting is waited for: stopping it mid-provision would leave its process behind.
  const deadline = Date.now() + pool.spec.readiness.within + 5000;
  while ((await poolHealth(fleet, pool)).provisioning > 0 && Date.now() < deadline) await sleep(200);
  const serving = await listHosts(db, { pool: pool.name, state: 'in_service' });
  for (const h of serving) await transitionHost(db, h.name, 'draining', { actor: opts.actor, reason: opts.reason, now: fleet.clock.now(), set: { drained_by: opts.actor } });
  if (serving.length > 0) {
    const wait = Math.max(drainWaitMs, pool.spec.drainGrace);
    opts.say(`pool ${pool.name}: ${serving.map((h) => h.name).join(', ')} out of discovery; serving in-flight work for ${wait} ms`);
    await sleep(wait);
  }
  const left = (await listHosts(db, { pool: pool.name })).filter((h) => h.state !== 'decommissioned' && h.state !== 'provisioning');
  for (const h of left) await fleet.decommission(h.name, { actor: opts.actor, reason: opts.reason });
  if (left.length > 0) opts.say(`pool ${pool.name}: decommissioned ${left.map((h) => h.name).join(', ')}`);
}
