import type { DbOrTx } from '../store/store.js';
import { labHostsOf } from '../lab/labFaults.js';
import { openFaults } from './faultLeases.js';

export interface BlastRadius {
  service: string;
  /** the hosts the run's faults would have broken, this one included */
  hosts: string[];
  /** the service's hosts in service, and those the run broke that have left it */
  of: number;
  share: number;
}

/**
 * The share of a service's hosts a run would have broken with one more lab
 * fault: measured from what it has injected and not reverted, not taken on
 * trust from what the experiment declares. A fault without a host hits the
 * service's first in-service host, as breakLabHost does.
 */
export async function labBlastRadius(db: DbOrTx, runId: number, target: { service: string; host?: string | undefined }): Promise<BlastRadius | null> {
  const inService = await labHostsOf(db, target.service);
  const next = target.host ?? inService[0]?.name;
  if (next === undefined) return null;
  const touched = new Set<string>();
  for (const f of await openFaults(db, { runId })) {
    if (f.kind === 'lab-fault' && f.target.service === target.service && typeof f.target.host === 'string') touched.add(f.target.host);
  }
  touched.add(next);
  const all = new Set([...inService.map((h) => h.name), ...touched]);
  return { service: target.service, hosts: [...touched].sort(), of: all.size, share: touched.size / all.size };
}
