import type { Db } from './store.js';

/**
 * Takes or renews the named lease for `holder`. Singleton loops (expiry
 * sweeps, escalation timers) run only while they hold it, so several
 * replicas on one database do not all fire the same timer.
 */
export async function acquireLeaderLease(
  db: Db,
  opts: { name: string; holder: string; ttlMs: number; now: number },
): Promise<boolean> {
  const { name, holder, ttlMs, now } = opts;
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
    const renewed = await tx
      .updateTable('leases')
      .set({ holder, expires_at: now + ttlMs })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(renewed.numUpdatedRows) === 1;
  });
}

export async function releaseLeaderLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}
