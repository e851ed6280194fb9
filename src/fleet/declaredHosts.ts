import type { HostSpec } from '../config/index.js';
import type { ConfigDoc } from '../config/index.js';
import type { Fleet } from './fleet.js';
import { getHost, insertHost, listHosts, transitionHost } from './hosts.js';
import type { HostRow } from '../store/schema.js';

/** Hosts declared in config join the fleet in service (provider "static": prodeng records their state but cannot remake them). */
export async function syncDeclaredHosts(fleet: Fleet, declared: Iterable<ConfigDoc<HostSpec>>, now: number): Promise<void> {
  const db = fleet.store.db;
  for (const doc of declared) {
    const existing = await getHost(db, doc.name);
    if (existing) {
      await db
        .updateTable('hosts')
        .set({ address: doc.spec.address, service: doc.spec.service ?? null, cluster: doc.spec.cluster ?? null, labels: JSON.stringify(doc.spec.labels ?? {}), updated_at: now })
        .where('name', '=', doc.name)
        .execute();
      continue;
    }
    await insertHost(
      db,
      { name: doc.name, address: doc.spec.address, service: doc.spec.service ?? null, cluster: doc.spec.cluster ?? null, labels: doc.spec.labels ?? {}, provider: 'static', state: 'in_service', reason: `declared in ${doc.source.file}`, origin: 'config' },
      'config',
      now,
    );
  }
}

/** Records a host as gone, through the states its lifecycle allows. */
async function retireRecord(fleet: Fleet, h: HostRow, opts: { actor: string; reason: string; now: number }): Promise<void> {
  const db = fleet.store.db;
  if (h.state === 'in_service') await transitionHost(db, h.name, 'draining', opts);
  if (h.state === 'in_service' || h.state === 'draining' || h.state === 'repairing') await transitionHost(db, h.name, 'out_of_service', opts);
  await transitionHost(db, h.name, 'decommissioned', opts);
}

/**
 * Hosts the store remembers but this start cannot stand behind: pool hosts
 * whose provider no longer holds them (local processes stop with prodeng),
 * local processes of pools this config does not have (a lab run's, seen by a
 * later `serve`), and hosts declared by a config that no longer declares
 * them. Left in service, they would count as capacity and be handed out as
 * endpoints while nothing answers there.
 */
export async function forgetLostHosts(fleet: Fleet, now: number, declared: ReadonlySet<string> = new Set()): Promise<void> {
  for (const h of await listHosts(fleet.store.db)) {
    if (h.state === 'decommissioned') continue;
    const provider = h.pool ? fleet.providers.get(h.pool) : undefined;
    let reason: string | null = null;
    if (h.pool && provider?.holds && !provider.holds({ name: h.name, pool: h.pool, address: h.address, ref: h.provider_ref })) {
      // Stopped with the previous run, or (that run was killed) left running unseen: then it is stopped now, faults and all.
      const stopped = await provider.stopOrphan?.({ name: h.name, pool: h.pool, address: h.address, ref: h.provider_ref }).catch(() => null);
      reason = stopped ? `its process outlived the previous prodeng run: ${stopped}` : 'its process stopped with the previous prodeng run';
    }
    else if (h.pool && !provider && h.provider === 'local-process') reason = `its process stopped with the prodeng run that made it, and pool ${h.pool} is not in this config`;
    else if (h.origin === 'config' && !declared.has(h.name)) reason = 'the config no longer declares it';
    if (reason) await retireRecord(fleet, h, { actor: h.pool ? `pool ${h.pool}` : 'config', reason, now });
  }
}
