import type { Logger } from 'pino';
import type { LoadedConfig } from '../../config/index.js';
import type { Store } from '../../store/store.js';
import { evaluateScorecard } from './scorecard.js';
import { recordScorecard } from './scorecardMonitor.js';

/** Every 5 minutes: a check that starts failing reaches its team well within 15 minutes. */
export const SCORECARD_INTERVAL_MS = 5 * 60_000;

/** The leader task: the scorecard graded, its changes kept, notices queued, the daily snapshot taken. */
export function scorecardMonitorTask(store: Store, config: LoadedConfig, logger: Pick<Logger, 'info' | 'warn'>, intervalMs = SCORECARD_INTERVAL_MS) {
  let last = -Infinity;
  return async (now: number): Promise<void> => {
    if (now - last < intervalMs) return;
    last = now;
    const scores = await evaluateScorecard(store.db, config, now);
    const result = await recordScorecard(store, scores, now);
    for (const [service, checks] of result.newlyFailing) logger.info({ service, checks }, 'scorecard checks started failing; the team is told');
  };
}
