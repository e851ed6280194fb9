import type { HostSpec } from '../config/index.js';
import type { ConfigDoc } from '../config/index.js';
import type { Fleet } from './fleet.js';
import { getHost, insertHost, listHosts, transitionHost } from './hosts.js';

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

/** Pool hosts whose provider no longer holds them (local processes stop with prodeng) are recorded as gone. */
export async function forgetLostHosts(fleet: Fleet, now: number): Promise<void> {
  for (const [pool, provider] of fleet.providers) {
    if (!provider.holds) continue;
    for (const h of await listHosts(fleet.store.db, { pool })) {
      if (h.state === 'decommissioned' || provider.holds({ name: h.name, pool, address: h.address, ref: h.provider_ref })) continue;
      const reason = 'its process stopped with the previous prodeng run';
      const opts = { actor: `pool ${pool}`, reason, now };
      if (h.state === 'in_service') await transitionHost(fleet.store.db, h.name, 'draining', opts);
      if (h.state === 'in_service' || h.state === 'draining' || h.state === 'repairing') await transitionHost(fleet.store.db, h.name, 'out_of_service', opts);
      await transitionHost(fleet.store.db, h.name, 'decommissioned', opts);
    }
  }
}
