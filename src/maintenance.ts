import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from './store/clock.js';
import type { Store } from './store/store.js';
import { acquireLeaderLease, releaseLeaderLease } from './store/leaderLease.js';
import { periodicTask } from './store/periodicTask.js';
import { reapplySilences, resolveExpiredAlerts, silenceBoundaryPassed } from './intake/expiry.js';
import { checkHeartbeats, type HeartbeatDefinition } from './probes/heartbeats.js';
import type { EngineMetrics } from './reports/engineMetrics.js';
import type { FiringHook } from './intake/ingest.js';

const LEASE_NAME = 'maintenance';

export interface MaintenanceLoop {
  /** one pass, as the timer runs it; tests call it after moving the clock */
  runOnce(): Promise<void>;
  /** whether this process held the leader lease at its last pass */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * The timers of intake and probes (alert expiry, silences starting or
 * ending, missed heartbeats). Only the replica holding the leader lease runs
 * them, so they fire once however many replicas share the database.
 */
export function startMaintenanceLoop(opts: {
  store: Store;
  clock: Clock;
  heartbeats: Map<string, HeartbeatDefinition>;
  metrics: EngineMetrics;
  logger: Logger;
  onFiring?: FiringHook;
  intervalMs: number;
  /** other stages' leader-only work (fleet capacity), run after intake's */
  leaderTasks?: Array<(now: number) => Promise<void>>;
}): MaintenanceLoop {
  const { store, clock, heartbeats, metrics, logger } = opts;
  const holder = randomUUID();
  let lastSilenceCheck = clock.now();
  let leading = false;

  async function pass(): Promise<void> {
    const now = clock.now();
    const leader = await acquireLeaderLease(store.db, { name: LEASE_NAME, holder, ttlMs: Math.max(opts.intervalMs * 5, 5000), now });
    metrics.isLeader.set(leader ? 1 : 0);
    leading = leader;
    if (!leader) return;
    while ((await resolveExpiredAlerts(store, now)) > 0) {
      // keep going until every due alert is resolved
    }
    if (await silenceBoundaryPassed(store, lastSilenceCheck, now)) await reapplySilences(store, now, opts.onFiring);
    lastSilenceCheck = now;
    const missed = await checkHeartbeats(store, heartbeats, now, opts.onFiring);
    if (missed.length > 0) logger.warn({ heartbeats: missed }, 'heartbeats missed');
    for (const task of opts.leaderTasks ?? []) await task(now);
  }

  const task = periodicTask(
    () =>
      pass().then(
        () => void metrics.leaderLoopRuns.inc({ result: 'ok' }),
        (err) => {
          metrics.leaderLoopRuns.inc({ result: 'error' });
          throw err;
        },
      ),
    { intervalMs: opts.intervalMs, fallback: undefined, onError: (err) => logger.error({ err }, 'maintenance pass failed') },
  );

  return {
    runOnce: task.runOnce,
    isLeader: () => leading,
    async stop() {
      await task.stop();
      await releaseLeaderLease(store.db, LEASE_NAME, holder).catch(() => undefined);
    },
  };
}
