import type { Db, DbOrTx } from '../store/store.js';
import type { SliCounts, SliSeries } from './burnRate.js';
import type { SloDoc } from './sloKind.js';
import { MINUTE } from './sloWindow.js';

/** Adds good and total events to an SLO's minute. */
export async function addSliEvents(db: DbOrTx, slo: string, at: number, good: number, total: number): Promise<void> {
  const minute = Math.floor(at / MINUTE) * MINUTE;
  await db
    .insertInto('sli_minutes')
    .values({ slo, minute, good, total })
    .onConflict((oc) =>
      oc.columns(['slo', 'minute']).doUpdateSet((eb) => ({
        good: eb(eb.ref('sli_minutes.good'), '+', eb.ref('excluded.good')),
        total: eb(eb.ref('sli_minutes.total'), '+', eb.ref('excluded.total')),
      })),
    )
    .execute();
}

/** An SLO's counts as the store holds them. */
export function storedSeries(db: DbOrTx, slo: string): SliSeries {
  return {
    async counts(from: number, to: number): Promise<SliCounts> {
      const row = await db
        .selectFrom('sli_minutes')
        .select((eb) => [eb.fn.sum<number | string | null>('good').as('good'), eb.fn.sum<number | string | null>('total').as('total')])
        .where('slo', '=', slo)
        .where('minute', '>=', from)
        .where('minute', '<', to)
        .executeTakeFirst();
      return { good: Number(row?.good ?? 0), total: Number(row?.total ?? 0) };
    },
  };
}

const PROBE_RESULTS_PER_PASS = 20_000;

/**
 * Counts the probe results of an SLO's service not yet counted into its
 * minutes: a passing check is a good event, a failing one (or one slower
 * than `latencyBelow`) a bad one.
 */
export async function countProbeResults(db: Db, slo: SloDoc, counted: number): Promise<number> {
  const indicator = slo.spec.indicator;
  if (!('probe' in indicator)) return counted;
  let q = db
    .selectFrom('probe_results')
    .select(['id', 'ok', 'latency_ms', 'at'])
    .where('id', '>', counted)
    .where('service', '=', slo.spec.service)
    .orderBy('id')
    .limit(PROBE_RESULTS_PER_PASS);
  if (indicator.probe.name) q = q.where('probe', '=', indicator.probe.name);
  const rows = await q.execute();
  if (rows.length === 0) return counted;
  const byMinute = new Map<number, { good: number; total: number }>();
  for (const r of rows) {
    const minute = Math.floor(Number(r.at) / MINUTE) * MINUTE;
    const c = byMinute.get(minute) ?? { good: 0, total: 0 };
    const fast = indicator.probe.latencyBelow === undefined || r.latency_ms < indicator.probe.latencyBelow;
    c.total += 1;
    if (r.ok === 1 && fast) c.good += 1;
    byMinute.set(minute, c);
  }
  const last = Number(rows.at(-1)!.id);
  await db.transaction().execute(async (tx) => {
    for (const [minute, c] of byMinute) await addSliEvents(tx, slo.name, minute, c.good, c.total);
    await tx.updateTable('slo_state').set({ probe_results_counted: last }).where('slo', '=', slo.name).execute();
  });
  return last;
}
