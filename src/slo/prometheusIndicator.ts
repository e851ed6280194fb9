import type { Db } from '../store/store.js';
import { addSliEvents } from './sliStore.js';
import { withWindow } from './sloKind.js';
import { MINUTE } from './sloWindow.js';

export interface PrometheusIndicator {
  url?: string | undefined;
  errorQuery: string;
  totalQuery: string;
}

/** At most this many minutes are caught up in one pass, so a long outage of Prometheus does not stall the evaluator. */
const MINUTES_PER_PASS = 60;

export class PrometheusQueryError extends Error {
  readonly code = 'prometheus_query_failed';
}

/** The sum of an instant query's samples at `at` (0 when it returns none). */
async function instantSum(base: string, query: string, at: number): Promise<number> {
  const url = new URL('/api/v1/query', base);
  url.searchParams.set('query', query);
  url.searchParams.set('time', String(at / 1000));
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new PrometheusQueryError(`cannot reach Prometheus at ${base}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { status?: string; error?: string; data?: { resultType: string; result: unknown } } | null;
  if (!res.ok || body?.status !== 'success' || !body.data) throw new PrometheusQueryError(`Prometheus at ${base} refused ${query}: ${body?.error ?? res.status}`);
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return Number((result as [number, string])[1]) || 0;
  if (resultType !== 'vector') throw new PrometheusQueryError(`${query} gives a ${resultType}; it must give a number per instant (a vector or scalar)`);
  return (result as Array<{ value: [number, string] }>).reduce((sum, s) => sum + (Number(s.value[1]) || 0), 0);
}

/**
 * Asks Prometheus for each whole minute not yet counted: the error and
 * total rates over that minute (the queries with `[1m]`), times 60, are its
 * bad and total events. Returns the end of the last minute counted.
 */
export async function pullPrometheusMinutes(db: Db, slo: string, q: PrometheusIndicator, since: number, end: number): Promise<number> {
  const base = q.url ?? process.env.PRODENG_PROMETHEUS_URL;
  if (!base) throw new PrometheusQueryError(`SLO ${slo} counts a Prometheus query, but neither indicator.prometheus.url nor PRODENG_PROMETHEUS_URL says where Prometheus is`);
  const first = Math.max(since, end - MINUTES_PER_PASS * MINUTE);
  let done = first;
  for (let t = first + MINUTE; t <= end; t += MINUTE) {
    const [errors, total] = await Promise.all([instantSum(base, withWindow(q.errorQuery, '1m'), t), instantSum(base, withWindow(q.totalQuery, '1m'), t)]);
    const totalEvents = total * 60;
    const bad = Math.min(totalEvents, Math.max(0, errors * 60));
    if (totalEvents > 0) await addSliEvents(db, slo, t - MINUTE, totalEvents - bad, totalEvents);
    done = t;
  }
  return done;
}
