import type { DbOrTx } from '../store/store.js';

export interface AvailabilityRow {
  probe: string;
  host: string;
  service: string | null;
  checks: number;
  passed: number;
  availability: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  lastDetail: string | null;
  firing: boolean;
}

/** Availability and latency per probe and host since a moment, from the kept results (what reports and SLOs read). */
export async function probeAvailability(db: DbOrTx, filter: { since: number; service?: string | undefined; host?: string | undefined; probe?: string | undefined }): Promise<AvailabilityRow[]> {
  let q = db
    .selectFrom('probe_results')
    .select(({ fn }) => [
      'probe',
      'host',
      fn.max('service').as('service'),
      fn.countAll<number>().as('checks'),
      fn.sum<number>('ok').as('passed'),
      fn.avg<number>('latency_ms').as('avg_latency'),
      fn.max('latency_ms').as('max_latency'),
      fn.max('id').as('last_id'),
    ])
    .where('at', '>=', filter.since)
    .groupBy(['probe', 'host'])
    .orderBy('probe')
    .orderBy('host');
  if (filter.service) q = q.where('service', '=', filter.service);
  if (filter.host) q = q.where('host', '=', filter.host);
  if (filter.probe) q = q.where('probe', '=', filter.probe);
  const rows = await q.execute();
  const lastIds = rows.map((r) => Number(r.last_id));
  const last = lastIds.length ? await db.selectFrom('probe_results').select(['id', 'detail']).where('id', 'in', lastIds).execute() : [];
  const detailById = new Map(last.map((r) => [Number(r.id), r.detail]));
  const firing = new Set((await db.selectFrom('probe_targets').select(['probe', 'host']).where('firing', '=', 1).execute()).map((r) => `${r.probe}/${r.host}`));
  return rows.map((r) => {
    const checks = Number(r.checks);
    const passed = Number(r.passed ?? 0);
    return {
      probe: r.probe,
      host: r.host,
      service: r.service ?? null,
      checks,
      passed,
      availability: checks ? passed / checks : 1,
      avgLatencyMs: Math.round(Number(r.avg_latency ?? 0) * 10) / 10,
      maxLatencyMs: Number(r.max_latency ?? 0),
      lastDetail: detailById.get(Number(r.last_id)) ?? null,
      firing: firing.has(`${r.probe}/${r.host}`),
    };
  });
}

/** Results older than the retention go; the time series is for recent reports, not forever. */
export async function pruneProbeResults(db: DbOrTx, olderThan: number): Promise<number> {
  const result = await db.deleteFrom('probe_results').where('at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
