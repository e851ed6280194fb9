import type { DbOrTx } from '../store/store.js';

/** A line in an incident's timeline. */
export async function incidentEvent(db: DbOrTx, incidentId: number, e: { kind: string; actor: string; message: string; data?: Record<string, unknown> }, now: number): Promise<void> {
  await db.insertInto('incident_events').values({ incident_id: incidentId, at: now, kind: e.kind, actor: e.actor, message: e.message, data: JSON.stringify(e.data ?? {}) }).execute();
}
