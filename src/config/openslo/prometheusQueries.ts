// OpenSLO's Prometheus metric sources as prodeng's Prometheus indicator: a
// query for the rate of bad events and one for all events, with {{window}}
// where the range goes (prodeng asks for the last minute's; `prodeng slo
// rules` writes one per alerting window).

export interface PrometheusIndicatorInput {
  queries: Partial<Record<'good' | 'bad' | 'total' | 'raw' | 'threshold', string>>;
  /** the good/bad/total queries are counters (rate them) rather than per-second rates already */
  counter: boolean;
  rawType?: 'success' | 'failure' | undefined;
  /** a threshold metric's objective: a value is good when `value op threshold` holds */
  op?: 'gt' | 'lt' | 'gte' | 'lte' | undefined;
  value?: number | undefined;
}

const WINDOW = /\{\{\s*\.?window\s*\}\}/;
// `http_requests_total{code="500"}`, and the same inside sum(…) / sum by (…) (…).
const SELECTOR = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/;
const SUM_OF_SELECTOR = /^sum\s*(?:(by|without)\s*\(([^()]*)\)\s*)?\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^{}]*\})?)\s*\)$/;

/** A per-second rate of what the query counts, over {{window}}. */
function rateOf(query: string, counter: boolean): string {
  if (WINDOW.test(query)) return query;
  if (!counter) return `sum(avg_over_time((${query})[{{window}}:]))`;
  if (SELECTOR.test(query)) return `sum(rate(${query}[{{window}}]))`;
  const sum = SUM_OF_SELECTOR.exec(query);
  if (sum) return `sum${sum[1] ? ` ${sum[1]} (${sum[2]})` : ''}(rate(${sum[3]}[{{window}}]))`;
  return `sum(rate((${query})[{{window}}:]))`;
}

/** The mean of a ratio or 0/1 value over {{window}}. */
function meanOf(query: string): string {
  return WINDOW.test(query) ? query : `avg_over_time((${query})[{{window}}:])`;
}

const ONE_PER_SECOND = 'avg_over_time(vector(1)[{{window}}:])';
const breached: Record<NonNullable<PrometheusIndicatorInput['op']>, string> = { gt: '<=', gte: '<', lt: '>=', lte: '>' };

export function prometheusQueries(input: PrometheusIndicatorInput): { errorQuery: string; totalQuery: string } {
  const { queries: q, counter } = input;
  if (q.threshold !== undefined) {
    // Each moment the value misses the threshold counts as bad: a 0/1 series averaged over the window.
    const bad = `max(avg_over_time(((${q.threshold}) ${breached[input.op!]} bool ${input.value!})[{{window}}:]))`;
    return { errorQuery: bad, totalQuery: ONE_PER_SECOND };
  }
  if (q.raw !== undefined) {
    // A raw ratio weighs every moment the same: the good (or bad) share of one event per second.
    const ratio = meanOf(q.raw);
    return { errorQuery: input.rawType === 'failure' ? `(${ratio})` : `(1 - (${ratio}))`, totalQuery: ONE_PER_SECOND };
  }
  const total = rateOf(q.total!, counter);
  if (q.bad !== undefined) return { errorQuery: rateOf(q.bad, counter), totalQuery: total };
  return { errorQuery: `(${total}) - (${rateOf(q.good!, counter)})`, totalQuery: total };
}
