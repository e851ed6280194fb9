import type { Store } from '../store/store.js';
import type { AlertEvent, Severity } from '../intake/alertEvent.js';
import { ingestEvents, type FiringHook } from '../intake/ingest.js';
import { labelSetFingerprint } from '../intake/fingerprint.js';
import { openAlertFingerprints } from '../intake/alertQueries.js';

export interface HeartbeatDefinition {
  name: string;
  intervalMs: number;
  graceMs: number;
  service: string | null;
  severity: Severity;
  summary: string | null;
  labels: Record<string, string>;
}

export class UnknownHeartbeatError extends Error {
  readonly code = 'unknown_heartbeat';
}

/** Config is the source of truth for which heartbeats exist; the store keeps when each was last pinged. */
export async function registerHeartbeats(store: Store, defs: HeartbeatDefinition[], now: number): Promise<void> {
  for (const def of defs) {
    await store.db
      .insertInto('heartbeats')
      .values({ name: def.name, interval_ms: def.intervalMs, grace_ms: def.graceMs, registered_at: now, last_ping_at: null })
      .onConflict((oc) => oc.column('name').doUpdateSet({ interval_ms: def.intervalMs, grace_ms: def.graceMs }))
      .execute();
  }
}

function heartbeatLabels(def: HeartbeatDefinition): Record<string, string> {
  return { alertname: 'HeartbeatMissed', heartbeat: def.name, ...def.labels };
}

function heartbeatEvent(def: HeartbeatDefinition, action: 'firing' | 'resolved', detail: unknown): AlertEvent {
  const labels = heartbeatLabels(def);
  const summary = def.summary ?? `Heartbeat ${def.name} missed its ${def.intervalMs / 1000}s interval`;
  return {
    source: 'heartbeat',
    action,
    fingerprint: labelSetFingerprint(labels),
    labels,
    annotations: { summary },
    summary,
    severity: def.severity,
    service: def.service,
    host: null,
    dedupKey: null,
    generatorUrl: null,
    startsAt: null,
    endsAt: null,
    endsAtFromTimeout: false,
    payload: detail,
  };
}

/** A ping records the time and resolves the missed-heartbeat alert if one is open. */
export async function pingHeartbeat(store: Store, defs: Map<string, HeartbeatDefinition>, name: string, now: number): Promise<void> {
  const def = defs.get(name);
  if (!def) throw new UnknownHeartbeatError(`no heartbeat named "${name}" is configured`);
  await store.db.updateTable('heartbeats').set({ last_ping_at: now }).where('name', '=', name).execute();
  await ingestEvents(store, [heartbeatEvent(def, 'resolved', { ping: new Date(now).toISOString() })], now);
}

/** Fires an alert for every heartbeat whose interval (plus grace) passed without a ping. */
export async function checkHeartbeats(store: Store, defs: Map<string, HeartbeatDefinition>, now: number, onFiring?: FiringHook): Promise<string[]> {
  const rows = await store.db.selectFrom('heartbeats').selectAll().execute();
  const missed: AlertEvent[] = [];
  for (const row of rows) {
    const def = defs.get(row.name);
    if (!def) continue;
    const last = row.last_ping_at ?? row.registered_at;
    if (now - last <= def.intervalMs + def.graceMs) continue;
    missed.push(
      heartbeatEvent(def, 'firing', {
        lastPingAt: row.last_ping_at === null ? null : new Date(row.last_ping_at).toISOString(),
        checkedAt: new Date(now).toISOString(),
      }),
    );
  }
  // A heartbeat already alerting is not fired again on every check.
  const alreadyOpen = await openAlertFingerprints(store.db, missed.map((e) => e.fingerprint));
  const fresh = missed.filter((e) => !alreadyOpen.has(e.fingerprint));
  if (fresh.length > 0) await ingestEvents(store, fresh, now, onFiring);
  return fresh.map((e) => e.labels.heartbeat as string);
}
