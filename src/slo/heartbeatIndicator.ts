import type { Db } from '../store/store.js';
import { addSliEvents } from './sliStore.js';
import { evaluationEnd, MINUTE } from './sloWindow.js';

/**
 * A heartbeat's SLO counts minutes: the minute just ended is one good event
 * when the heartbeat was on schedule at its end (pinged within its interval
 * and grace), one bad event when it was overdue. Each minute is counted once;
 * minutes while no prodeng was running are not counted (no data), since only
 * the last ping is kept.
 */
export async function countHeartbeatMinute(db: Db, slo: string, heartbeat: string, countedUntil: number | null, now: number): Promise<void> {
  const end = evaluationEnd(now);
  if (countedUntil !== null && countedUntil >= end) return;
  const row = await db.selectFrom('heartbeats').selectAll().where('name', '=', heartbeat).executeTakeFirst();
  if (!row) return;
  const last = Number(row.last_ping_at ?? row.registered_at);
  const overdue = end - last > Number(row.interval_ms) + Number(row.grace_ms);
  await db.transaction().execute(async (tx) => {
    await addSliEvents(tx, slo, end - MINUTE, overdue ? 0 : 1, 1);
    await tx.updateTable('slo_state').set({ pulled_until: end }).where('slo', '=', slo).execute();
  });
}
