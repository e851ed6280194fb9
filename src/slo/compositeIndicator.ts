import type { Db } from '../store/store.js';
import { addSliEvents, MINUTE_RETENTION_MS } from './sliStore.js';
import { evaluationEnd } from './sloWindow.js';

/** A composite's minute counts as this many events, so its low-traffic guard (minBadEvents) reads as for a busy SLO. */
export const COMPOSITE_EVENTS_PER_MINUTE = 100;

export interface CompositeComponent {
  slo: string;
  /** the component's objective, percent */
  objective: number;
  weight: number;
}

/**
 * The minute of a composite SLO as a weighted mean of its components' burn
 * rates, each against its own objective: a component at 2× burn and one at
 * 0× weigh in as 1× (equal weights), however different their traffic or
 * targets. A minute with no events in any component is no data; one with
 * events in some weighs only those. The composite's bad share of the
 * minute is that mean burn times its own budget share, so its burn rate
 * over any window is the components' mean burn.
 */
export function compositeMinute(objective: number, counts: Array<{ component: CompositeComponent; good: number; total: number }>): { good: number; total: number } | null {
  let weighted = 0;
  let weights = 0;
  for (const { component, good, total } of counts) {
    if (total <= 0) continue;
    const burn = (total - good) / total / (1 - component.objective / 100);
    weighted += component.weight * burn;
    weights += component.weight;
  }
  if (weights === 0) return null;
  const badShare = Math.min(1, (1 - objective / 100) * (weighted / weights));
  return { good: COMPOSITE_EVENTS_PER_MINUTE * (1 - badShare), total: COMPOSITE_EVENTS_PER_MINUTE };
}

/**
 * Derives a composite's minutes from its components' stored minutes, from
 * where it last stopped (at first, as far back as minutes are kept) to the minute just
 * ended, each once. The components are evaluated first in the same pass;
 * events pushed into a component's minute after it was derived do not
 * change the composite.
 */
export async function deriveCompositeMinutes(db: Db, slo: string, objective: number, components: CompositeComponent[], derivedUntil: number | null, now: number): Promise<void> {
  const end = evaluationEnd(now);
  // A new composite starts from its components' kept minutes, so it shows their last days at once.
  const from = Math.max(derivedUntil ?? 0, end - MINUTE_RETENTION_MS);
  if (from >= end) return;
  const rows = await db
    .selectFrom('sli_minutes')
    .select(['slo', 'minute', 'good', 'total'])
    .where(
      'slo',
      'in',
      components.map((c) => c.slo),
    )
    .where('minute', '>=', from)
    .where('minute', '<', end)
    .execute();
  const byMinute = new Map<number, Array<{ component: CompositeComponent; good: number; total: number }>>();
  const bySlo = new Map(components.map((c) => [c.slo, c]));
  for (const r of rows) {
    const minute = Number(r.minute);
    let list = byMinute.get(minute);
    if (!list) byMinute.set(minute, (list = []));
    list.push({ component: bySlo.get(r.slo)!, good: Number(r.good), total: Number(r.total) });
  }
  await db.transaction().execute(async (tx) => {
    for (const [minute, counts] of [...byMinute].sort((a, b) => a[0] - b[0])) {
      const c = compositeMinute(objective, counts);
      if (c) await addSliEvents(tx, slo, minute, c.good, c.total);
    }
    await tx.updateTable('slo_state').set({ pulled_until: end }).where('slo', '=', slo).execute();
  });
}
