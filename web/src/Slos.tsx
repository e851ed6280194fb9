import { useApi } from './useApi';
import { when } from './when';

interface SloSummary {
  name: string;
  service: string;
  objective: number;
  window: string;
  indicator: string;
  budgetRemaining: number | null;
  tier: string | null;
  urgency: string | null;
  evaluatedAt: string | null;
}

interface SloDetail extends SloSummary {
  description: string | null;
  windowStart: string;
  windowEnd: string;
  events: { good: number; bad: number; total: number; allowedBad: number };
  burn: Array<{ tier: string; threshold: number; longWindow: string; shortWindow: string; longBurnRate: number; shortBurnRate: number; firing: boolean }>;
  history: Array<{ day: string; good: number; total: number }>;
}

interface AlertSummary {
  id: number;
  status: string;
  labels: Record<string, string>;
}

interface AlertDetail {
  history: Array<{ receivedAt: string; action: string; payload: { tier?: string | null } | null }>;
}

interface IncidentSummary {
  id: number;
  title: string;
  service: string | null;
  createdAt: string;
}

const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** A bar for the budget left: full is untouched, empty is spent; overspent shows as empty and says so. */
function BudgetBar({ remaining }: { remaining: number | null }) {
  const share = remaining === null ? 0 : Math.max(0, Math.min(1, remaining));
  const state = remaining === null ? 'none' : remaining <= 0 ? 'spent' : remaining < 0.25 ? 'low' : 'ok';
  return (
    <span className={`budget budget-${state}`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} aria-label="error budget left">
      <span style={{ width: `${share * 100}%` }} />
    </span>
  );
}

export function SloList() {
  const { data } = useApi<{ slos: SloSummary[] }>('/api/v1/slos', 10_000, ['alert']);
  const slos = data?.slos ?? [];
  return (
    <section className="card" aria-labelledby="h-slos">
      <h2 id="h-slos">Service-level objectives</h2>
      {data && slos.length === 0 ? <p>No SLOs are configured.</p> : null}
      <div className="scroll">
        <table data-testid="slo-list">
          <thead>
            <tr>
              <th scope="col">SLO</th>
              <th scope="col">service</th>
              <th scope="col">objective</th>
              <th scope="col">window</th>
              <th scope="col">budget left</th>
              <th scope="col">alert</th>
            </tr>
          </thead>
          <tbody>
            {slos.map((s) => (
              <tr key={s.name} className={s.urgency === 'page' ? 'failing' : undefined}>
                <td>
                  <a href={`#/slos/${encodeURIComponent(s.name)}`}>{s.name}</a>
                </td>
                <td>{s.service}</td>
                <td>{s.objective}%</td>
                <td>{s.window}</td>
                <td>
                  <BudgetBar remaining={s.budgetRemaining} /> {percent(s.budgetRemaining)}
                </td>
                <td>{s.tier ? `${s.tier} (${s.urgency})` : '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The budget left at the end of each day of the window (events so far), and
 * on the same time axis the SLO alert's changes of tier and the service's
 * incidents: where the line drops, what fired and who was called.
 */
function BurnDown({ slo, marks }: { slo: SloDetail; marks: Array<{ at: number; label: string; kind: 'alert' | 'incident' }> }) {
  const width = 640;
  const height = 200;
  const pad = { left: 40, right: 12, top: 12, bottom: 28 };
  const start = Date.parse(slo.windowStart);
  const end = Date.parse(slo.windowEnd);
  const x = (t: number) => pad.left + ((t - start) / Math.max(1, end - start)) * (width - pad.left - pad.right);
  const budget = 1 - slo.objective / 100;
  let good = 0;
  let total = 0;
  // A window starts with its whole budget; each day's end shows what is left of it.
  const firstDay = slo.history[0] ? Math.max(start, Date.parse(`${slo.history[0].day}T00:00:00Z`)) : end;
  const points = [
    { t: start, remaining: 1 },
    // Untouched until the first day with events.
    { t: firstDay, remaining: 1 },
    ...slo.history.map((d) => {
      good += d.good;
      total += d.total;
      const remaining = total > 0 ? 1 - (total - good) / (budget * total) : 1;
      return { t: Math.min(end, Date.parse(`${d.day}T23:59:59Z`)), remaining };
    }),
  ];
  // Overspent shows down to one budget below nothing; further is drawn at the floor.
  const low = Math.max(-1, Math.min(0, ...points.map((p) => p.remaining)));
  const y = (r: number) => pad.top + ((1 - Math.max(low, r)) / (1 - low)) * (height - pad.top - pad.bottom);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="chart" data-testid="slo-burndown" role="img" aria-label={`error budget left over the window, ${marks.length} alert changes and incidents marked`}>
      <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} className="axis" />
      <text x={4} y={y(1) + 4} className="tick">100%</text>
      <text x={4} y={y(0) + 4} className="tick">0%</text>
      {low < 0 ? <text x={4} y={y(low) + 4} className="tick">{low <= -1 ? '≤ -100%' : `${Math.round(low * 100)}%`}</text> : null}
      <text x={pad.left} y={height - 8} className="tick">{slo.windowStart.slice(0, 10)}</text>
      <text x={width - pad.right - 70} y={height - 8} className="tick">{slo.windowEnd.slice(0, 10)}</text>
      {path ? <path d={path} className="line" fill="none" /> : null}
      {marks.map((m, i) => (
        <g key={i} className={`mark mark-${m.kind}`} data-testid={`slo-mark-${m.kind}`}>
          <line x1={x(m.at)} x2={x(m.at)} y1={pad.top} y2={height - pad.bottom} />
          <title>{`${new Date(m.at).toLocaleString()}: ${m.label}`}</title>
        </g>
      ))}
    </svg>
  );
}

export function SloPage({ name }: { name: string }) {
  const { data: slo, error } = useApi<SloDetail>(`/api/v1/slos/${encodeURIComponent(name)}`, 10_000, ['alert']);
  const matcher = encodeURIComponent(`{alertname="SLOBurn",slo="${name}"}`);
  const { data: alerts } = useApi<{ alerts: AlertSummary[] }>(`/api/v1/alerts?match[]=${matcher}&limit=20`, 10_000, ['alert']);
  const latest = alerts?.alerts[0];
  const { data: detail } = useApi<AlertDetail>(latest ? `/api/v1/alerts/${latest.id}` : null, 10_000, ['alert']);
  const { data: incidents } = useApi<{ incidents: IncidentSummary[] }>('/api/v1/incidents', 10_000, ['incident']);
  if (error) return <p className="error">{error.message}</p>;
  if (!slo) return <p>Loading…</p>;
  const start = Date.parse(slo.windowStart);
  const marks = [
    ...(detail?.history ?? []).map((h) => ({ at: Date.parse(h.receivedAt), label: h.action === 'resolved' ? 'alert resolved' : `alert ${h.payload?.tier ?? h.action}`, kind: 'alert' as const })),
    ...(incidents?.incidents ?? []).filter((i) => i.service === slo.service).map((i) => ({ at: Date.parse(i.createdAt), label: `incident ${i.id}: ${i.title}`, kind: 'incident' as const })),
  ].filter((m) => m.at >= start);
  return (
    <section className="card" aria-labelledby="h-slo">
      <h2 id="h-slo">{slo.name}</h2>
      <p>
        {slo.objective}% of {slo.indicator === 'probe' ? 'probe checks' : 'events'} good for <strong>{slo.service}</strong>, {slo.window}
        {slo.description ? ` — ${slo.description}` : ''}
      </p>
      <p data-testid="slo-budget">
        <BudgetBar remaining={slo.budgetRemaining} /> <strong>{percent(slo.budgetRemaining)}</strong> of the error budget left: {slo.events.bad.toLocaleString()} bad of {slo.events.total.toLocaleString()} events,{' '}
        {slo.events.allowedBad.toLocaleString(undefined, { maximumFractionDigits: 1 })} allowed
      </p>
      <p data-testid="slo-alert">{slo.tier ? `Alert: ${slo.tier} (${slo.urgency})` : 'No burn alert.'}</p>
      <BurnDown slo={slo} marks={marks} />
      <div className="scroll">
        <table data-testid="slo-burn">
          <thead>
            <tr>
              <th scope="col">tier</th>
              <th scope="col">burn ≥</th>
              <th scope="col">long window</th>
              <th scope="col">short window</th>
              <th scope="col">firing</th>
            </tr>
          </thead>
          <tbody>
            {slo.burn.map((b) => (
              <tr key={b.tier} className={b.firing ? 'failing' : undefined}>
                <td>{b.tier}</td>
                <td>{b.threshold}×</td>
                <td>
                  {b.longBurnRate.toFixed(2)}× over {b.longWindow}
                </td>
                <td>
                  {b.shortBurnRate.toFixed(2)}× over {b.shortWindow}
                </td>
                <td>{b.firing ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {latest ? (
        <p>
          Its alert: <a href={`#/alerts/${latest.id}`}>alert {latest.id}</a> ({latest.status})
        </p>
      ) : null}
      <p>
        Evaluated <time dateTime={slo.evaluatedAt ?? undefined}>{when(slo.evaluatedAt)}</time>.
      </p>
    </section>
  );
}
