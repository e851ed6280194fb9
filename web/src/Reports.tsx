import { useState } from 'react';
import { useApi } from './useApi';

interface ParetoEntry {
  template: string;
  count: number;
  share: number;
  cumulativeShare: number;
  services: string[];
  example: string;
}
interface Pareto {
  since: string;
  until: string;
  total: number;
  entries: ParetoEntry[];
}
interface Stats {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
}
interface ServiceReport {
  service: string | null;
  alerts: number;
  mtta: Stats;
  mttr: Stats;
  remediations: { succeeded: number; failed: number; escalated: number; skipped: number };
  autoRemediationRate: number | null;
  minutesSaved: number;
}
interface TeamSlo {
  name: string;
  objective: number;
  achieved: number | null;
  events: number;
  met: boolean | null;
  budgetRemaining: number | null;
}
interface Teams {
  teams: Array<{ team: string | null; services: ServiceReport[]; slos?: TeamSlo[] }>;
}

const WINDOWS = ['24h', '7d', '30d'];

/** Seconds as a person reads a response time. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const percent = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);

/**
 * Bars for how often each kind of alert fired, largest first, and a line for
 * the cumulative share: where the line flattens, fixing more buys little.
 */
function ParetoChart({ entries }: { entries: ParetoEntry[] }) {
  const width = 640;
  const height = 240;
  const pad = { left: 36, right: 40, top: 12, bottom: 24 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(...entries.map((e) => e.count), 1);
  const slot = plotW / Math.max(entries.length, 1);
  const x = (i: number) => pad.left + i * slot;
  const line = entries.map((e, i) => `${x(i) + slot / 2},${pad.top + plotH * (1 - e.cumulativeShare)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="pareto-title" data-testid="pareto-chart" className="chart">
      <title id="pareto-title">Alert Pareto: {entries.map((e) => `${e.count} × ${e.template}`).join('; ')}</title>
      <line x1={pad.left} y1={pad.top + plotH} x2={pad.left + plotW} y2={pad.top + plotH} className="axis" />
      <text x={pad.left - 4} y={pad.top + 8} textAnchor="end" className="tick">
        {max}
      </text>
      <text x={pad.left + plotW + 4} y={pad.top + 8} className="tick">
        100%
      </text>
      {entries.map((e, i) => {
        const h = (plotH * e.count) / max;
        return (
          <g key={e.template} data-testid="pareto-bar" data-count={e.count} data-template={e.template}>
            <rect x={x(i) + slot * 0.1} y={pad.top + plotH - h} width={slot * 0.8} height={h} className="bar">
              <title>
                {e.count} × {e.template} ({percent(e.share)}, {percent(e.cumulativeShare)} cumulative)
              </title>
            </rect>
            <text x={x(i) + slot / 2} y={height - 8} textAnchor="middle" className="tick">
              {i + 1}
            </text>
          </g>
        );
      })}
      <polyline points={line} className="cumulative" data-testid="pareto-cumulative" />
      {entries.map((e, i) => (
        <circle key={e.template} cx={x(i) + slot / 2} cy={pad.top + plotH * (1 - e.cumulativeShare)} r={3} className="cumulative-point" />
      ))}
    </svg>
  );
}

/** The alert Pareto per team, and per service: MTTA, MTTR, how often automation fixed it, minutes it saved. */
export function Reports() {
  const [since, setSince] = useState('7d');
  const [team, setTeam] = useState('');
  const teamQuery = team ? `&team=${encodeURIComponent(team)}` : '';
  const pareto = useApi<Pareto>(`/api/v1/reports/pareto?since=${since}${teamQuery}`, 30_000, ['alert']);
  const teams = useApi<Teams>(`/api/v1/reports/teams?since=${since}`, 30_000, ['remediation']);
  const teamNames = (teams.data?.teams ?? []).map((t) => t.team).filter((t): t is string => !!t);
  const shownTeams = (teams.data?.teams ?? []).filter((t) => !team || t.team === team);
  const entries = pareto.data?.entries ?? [];
  return (
    <>
      <section className="card" aria-labelledby="h-pareto">
        <h2 id="h-pareto">Alert Pareto</h2>
        <div className="actions">
          <label>
            Window{' '}
            <select value={since} onChange={(e) => setSince(e.target.value)}>
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  last {w}
                </option>
              ))}
            </select>
          </label>
          <label>
            Team{' '}
            <select value={team} onChange={(e) => setTeam(e.target.value)}>
              <option value="">all teams</option>
              {teamNames.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
        </div>
        {pareto.error && pareto.error.status !== 401 ? <p role="alert">{pareto.error.message}</p> : null}
        {pareto.data && entries.length === 0 ? <p>No alerts in this window.</p> : null}
        {entries.length > 0 ? (
          <>
            <p data-testid="pareto-summary">
              {pareto.data!.total} alert(s) of {entries.length} kind(s); the top {Math.min(3, entries.length)} make {percent(entries[Math.min(3, entries.length) - 1]!.cumulativeShare)}.
            </p>
            <ParetoChart entries={entries} />
            <div className="scroll">
              <table data-testid="pareto-table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">alert</th>
                    <th scope="col">count</th>
                    <th scope="col">share</th>
                    <th scope="col">cumulative</th>
                    <th scope="col">services</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e, i) => (
                    <tr key={e.template}>
                      <td>{i + 1}</td>
                      <td title={e.example}>{e.template}</td>
                      <td>{e.count}</td>
                      <td>{percent(e.share)}</td>
                      <td>{percent(e.cumulativeShare)}</td>
                      <td>{e.services.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </section>
      <section className="card" aria-labelledby="h-teams">
        <h2 id="h-teams">Response and automation</h2>
        <div className="scroll">
          <table data-testid="team-report">
            <thead>
              <tr>
                <th scope="col">team</th>
                <th scope="col">service</th>
                <th scope="col">alerts</th>
                <th scope="col">MTTA (p50)</th>
                <th scope="col">MTTR (p50)</th>
                <th scope="col">auto-remediated</th>
                <th scope="col">minutes saved</th>
              </tr>
            </thead>
            <tbody>
              {shownTeams.flatMap((t) =>
                t.services.map((s) => (
                  <tr key={`${t.team}-${s.service}`}>
                    <td>{t.team ?? '(no team)'}</td>
                    <td>{s.service ?? '(no service)'}</td>
                    <td>{s.alerts}</td>
                    <td>
                      {duration(s.mtta.mean)} ({duration(s.mtta.p50)})
                    </td>
                    <td>
                      {duration(s.mttr.mean)} ({duration(s.mttr.p50)})
                    </td>
                    <td>
                      {percent(s.autoRemediationRate)}
                      {s.remediations.succeeded + s.remediations.failed + s.remediations.escalated > 0 ? ` of ${s.remediations.succeeded + s.remediations.failed + s.remediations.escalated}` : ''}
                    </td>
                    <td>{s.minutesSaved}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      </section>
      {shownTeams.some((t) => (t.slos ?? []).length > 0) ? (
        <section className="card" aria-labelledby="h-team-slos">
          <h2 id="h-team-slos">Objectives over this window</h2>
          <div className="scroll">
            <table data-testid="team-slos">
              <thead>
                <tr>
                  <th scope="col">team</th>
                  <th scope="col">SLO</th>
                  <th scope="col">objective</th>
                  <th scope="col">achieved</th>
                  <th scope="col">events</th>
                  <th scope="col">budget left (its window)</th>
                </tr>
              </thead>
              <tbody>
                {shownTeams.flatMap((t) =>
                  (t.slos ?? []).map((o) => (
                    <tr key={`${t.team}-${o.name}`} className={o.met === false ? 'failing' : undefined}>
                      <td>{t.team ?? '(no team)'}</td>
                      <td>
                        <a href={`#/slos/${encodeURIComponent(o.name)}`}>{o.name}</a>
                      </td>
                      <td>{o.objective}%</td>
                      <td>{o.achieved === null ? '-' : `${(o.achieved * 100).toFixed(3)}%${o.met ? '' : ' (missed)'}`}</td>
                      <td>{o.events.toLocaleString()}</td>
                      <td>{o.budgetRemaining === null ? '-' : `${(o.budgetRemaining * 100).toFixed(1)}%`}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
