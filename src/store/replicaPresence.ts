import type { Db } from './store.js';

const PREFIX = 'replica:';

/**
 * Each running prodeng renews a row saying it is alive and where it
 * listens, so a replica can say who its peers are (Alertmanager's cluster
 * status). A row not renewed within its time to live is a replica gone.
 * It is a lease row that nobody competes for: name `replica:<id>`, the
 * address as its holder.
 */
export async function announceReplica(db: Db, opts: { id: string; address: string; ttlMs: number; now: number }): Promise<void> {
  const row = { name: PREFIX + opts.id, holder: opts.address, expires_at: opts.now + opts.ttlMs };
  await db
    .insertInto('leases')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ holder: row.holder, expires_at: row.expires_at }))
    .execute();
}

export async function withdrawReplica(db: Db, id: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', PREFIX + id).execute();
}

/** The replicas alive at `now`, by id, with their addresses; old rows are removed on the way. */
export async function liveReplicas(db: Db, now: number): Promise<Array<{ id: string; address: string }>> {
  await db.deleteFrom('leases').where('name', 'like', `${PREFIX}%`).where('expires_at', '<=', now - 60_000).execute();
  const rows = await db.selectFrom('leases').select(['name', 'holder']).where('name', 'like', `${PREFIX}%`).where('expires_at', '>', now).orderBy('name').execute();
  return rows.map((r) => ({ id: r.name.slice(PREFIX.length), address: r.holder }));
}
