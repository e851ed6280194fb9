import type { DbOrTx } from '../store/store.js';

/**
 * Hosts failing a probe right now: an open alert from prodeng's own probes
 * names them. A host in service that fails its probe is not capacity: the
 * pool counts it out and the console lists it as failing.
 */
export async function failingHostNames(db: DbOrTx, hosts: string[]): Promise<Set<string>> {
  if (hosts.length === 0) return new Set();
  const rows = await db
    .selectFrom('alerts')
    .select('host')
    .distinct()
    .where('source', '=', 'probe')
    .where('status', 'in', ['firing', 'acknowledged'])
    .where('host', 'in', hosts)
    .execute();
  return new Set(rows.map((r) => r.host!).filter(Boolean));
}
