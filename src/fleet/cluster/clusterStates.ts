import type { Db, DbOrTx } from '../../store/store.js';
import type { HostPoolDoc } from '../hostPoolKind.js';
import { initialStateOf, type DesiredState } from './initialState.js';

/** A cluster's or one pool's desired state; the -ing ones while prodeng moves it, when the reconciler leaves it alone. */
export type ClusterState = 'up' | 'down' | 'turning-up' | 'turning-down';

/**
 * What is stored per cluster (cluster_states): its state as a whole, and
 * each pool's own, since a migration moves one pool of a cluster without
 * the others. `detail` holds the pools and the last error as JSON.
 */
export interface ClusterRecord {
  cluster: string;
  state: ClusterState;
  pools: Record<string, ClusterState>;
  error: string | null;
  changedAt: number | null;
  changedBy: string | null;
}

interface Detail {
  pools?: Record<string, ClusterState>;
  error?: string | null;
}

function parseDetail(text: string | null): Detail {
  if (!text) return {};
  try {
    const d = JSON.parse(text) as Detail;
    return typeof d === 'object' && d !== null ? d : {};
  } catch {
    // a detail someone wrote by hand: the state column still stands
    return {};
  }
}

/** The stored record, or the initial one (no row: nobody has turned it up or down yet). */
export async function readCluster(db: DbOrTx, cluster: string, initial: DesiredState): Promise<ClusterRecord> {
  const row = await db.selectFrom('cluster_states').selectAll().where('cluster', '=', cluster).executeTakeFirst();
  if (!row) return { cluster, state: initial, pools: {}, error: null, changedAt: null, changedBy: null };
  const detail = parseDetail(row.detail);
  return { cluster, state: row.state as ClusterState, pools: detail.pools ?? {}, error: detail.error ?? null, changedAt: Number(row.changed_at), changedBy: row.changed_by };
}

/** A pool's own state: what its cluster says of it, else the cluster's. */
export function poolState(record: ClusterRecord, pool: string): ClusterState {
  return record.pools[pool] ?? record.state;
}

export async function writeCluster(db: DbOrTx, record: Omit<ClusterRecord, 'changedAt' | 'changedBy'>, by: string, now: number): Promise<void> {
  const values = { state: record.state, changed_at: now, changed_by: by, detail: JSON.stringify({ pools: record.pools, error: record.error } satisfies Detail) };
  await db
    .insertInto('cluster_states')
    .values({ cluster: record.cluster, ...values })
    .onConflict((oc) => oc.column('cluster').doUpdateSet(values))
    .execute();
}

/** Changes one cluster's record in a transaction (read, change, write), so two pools' changes do not overwrite each other. */
export async function updateCluster(db: DbOrTx, cluster: string, initial: DesiredState, by: string, now: number, change: (r: ClusterRecord) => void): Promise<ClusterRecord> {
  const run = async (tx: DbOrTx) => {
    const record = await readCluster(tx, cluster, initial);
    change(record);
    await writeCluster(tx, record, by, now);
    return record;
  };
  return db.isTransaction ? run(db) : (db as Db).transaction().execute(run);
}

/**
 * What the capacity reconciler needs: each clustered pool's desired state.
 * Pools with no cluster are absent (they reconcile as they always have).
 * One query per tick, none when no pool is in a cluster.
 */
export async function desiredPoolStates(db: DbOrTx, pools: Iterable<HostPoolDoc>): Promise<Map<string, ClusterState>> {
  const clustered = [...pools].filter((p) => p.spec.cluster);
  const out = new Map<string, ClusterState>();
  if (clustered.length === 0) return out;
  const names = [...new Set(clustered.map((p) => p.spec.cluster!))];
  const rows = await db.selectFrom('cluster_states').select(['cluster', 'state', 'detail']).where('cluster', 'in', names).execute();
  const byCluster = new Map(rows.map((r) => [r.cluster, { state: r.state as ClusterState, pools: parseDetail(r.detail).pools ?? {} }]));
  for (const p of clustered) {
    const row = byCluster.get(p.spec.cluster!);
    out.set(p.name, row ? (row.pools[p.name] ?? row.state) : initialStateOf(p));
  }
  return out;
}
