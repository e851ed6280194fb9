import type { Store } from '../store/store.js';
import { alertIsOpen } from '../store/schema.js';
import { enqueueWork } from '../store/workQueue.js';
import { alertWork, firingAlertFromRow, type FiringAlert, type FiringHook } from './ingest.js';
import type { Labels } from './fingerprint.js';
import { loadActiveSilences, matchableLabels, silencingIds } from './silences.js';

const SWEEP_BATCH = 500;

/**
 * Resolves open alerts whose endsAt has passed: Prometheus stopped sending
 * them (or sent an endsAt that is now over). Returns how many resolved.
 */
export async function resolveExpiredAlerts(store: Store, now: number): Promise<number> {
  return store.db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('alerts')
      .select(['id', 'ends_at', 'ends_at_from_timeout', 'silenced_by', 'source'])
      .where(alertIsOpen)
      .where('ends_at', 'is not', null)
      .where('ends_at', '<=', now)
      .orderBy('ends_at')
      .limit(SWEEP_BATCH);
    if (store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const due = await q.execute();
    if (due.length === 0) return 0;
    for (const alert of due) {
      await tx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: alert.ends_at, updated_at: now })
        .where('id', '=', alert.id)
        .execute();
    }
    await tx
      .insertInto('alert_events')
      .values(
        due.map((a) => ({
          alert_id: a.id,
          received_at: now,
          source: a.source,
          action: 'resolved',
          payload: JSON.stringify({ reason: a.ends_at_from_timeout ? 'not sent again within resolveTimeout' : 'endsAt passed' }),
        })),
      )
      .execute();
    await enqueueWork(tx, alertWork(due.filter((a) => a.silenced_by === null).map((a) => ({ kind: 'alert.resolved', id: a.id }))), now);
    return due.length;
  });
}

/**
 * Re-evaluates which open alerts are silenced, after a silence was created,
 * expired, began or ended. An alert that stops being silenced while firing
 * causes the downstream work it was spared.
 */
export async function reapplySilences(store: Store, now: number, onFiring?: FiringHook): Promise<{ silenced: number; unsilenced: number }> {
  return store.db.transaction().execute(async (tx) => {
    const active = await loadActiveSilences(tx, now);
    const open = await tx
      .selectFrom('alerts')
      .select(['id', 'labels', 'annotations', 'service', 'host', 'silenced_by', 'status', 'fingerprint', 'source', 'summary', 'severity'])
      .where(alertIsOpen)
      .execute();
    let silenced = 0;
    let unsilenced = 0;
    const work: Array<{ kind: string; id: number }> = [];
    const released: FiringAlert[] = [];
    for (const alert of open) {
      const ids = silencingIds(matchableLabels(JSON.parse(alert.labels) as Labels, alert.service), active);
      const next = ids.length > 0 ? JSON.stringify(ids) : null;
      if (next === alert.silenced_by) continue;
      await tx.updateTable('alerts').set({ silenced_by: next, updated_at: now }).where('id', '=', alert.id).execute();
      if (next === null) {
        unsilenced++;
        if (alert.status === 'firing') {
          work.push({ kind: 'alert.firing', id: alert.id });
          released.push(firingAlertFromRow(alert.id, alert));
        }
      } else if (alert.silenced_by === null) {
        silenced++;
      }
    }
    await enqueueWork(tx, alertWork(work), now);
    // An alert let out of a silence while still firing gets the remediation it was spared.
    if (onFiring && released.length > 0) await onFiring(tx, released, now);
    return { silenced, unsilenced };
  });
}

/** Whether a silence started or ended in (since, now]: only then is a re-evaluation needed. */
export async function silenceBoundaryPassed(store: Store, since: number, now: number): Promise<boolean> {
  const row = await store.db
    .selectFrom('silences')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('starts_at', '>', since), eb('starts_at', '<=', now)]),
        eb.and([eb('ends_at', '>', since), eb('ends_at', '<=', now)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
