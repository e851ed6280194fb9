import type { AlertEvent, AlertSource, EventResult } from '../intake/alertEvent.js';
import type { ApiDeps } from './deps.js';

/** Commits a request's events and counts them; the caller replies only after this resolves. */
export async function commitEvents(deps: ApiDeps, source: AlertSource, events: AlertEvent[]): Promise<EventResult[]> {
  const stop = deps.metrics.intakeBatchDuration.startTimer({ source });
  const results = await deps.committer.commit(events);
  stop();
  const counts = new Map<string, number>();
  for (const r of results) {
    const outcome = r.silenced && r.outcome !== 'ignored' ? 'silenced' : r.outcome;
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  for (const [outcome, n] of counts) deps.metrics.intakeEvents.inc({ source, outcome }, n);
  return results;
}

export function countRejected(deps: ApiDeps, source: AlertSource, n = 1): void {
  deps.metrics.intakeEvents.inc({ source, outcome: 'rejected' }, n);
}
