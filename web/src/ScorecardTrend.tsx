import type { ScoreDay } from './CatalogApi';
import { LEVEL_NAMES } from './CatalogApi';

const DAY_MS = 24 * 3600_000;
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * The level at each day's snapshot as a step chart: a level holds until the
 * next snapshot says otherwise, so steps, not slopes. Days are placed by
 * date, so a gap in the snapshots shows as a long step.
 */
function LevelSteps({ history, expected }: { history: ScoreDay[]; expected: number | null }) {
  const width = 640;
  const height = 150;
  const pad = { left: 56, right: 12, top: 12, bottom: 26 };
  const first = dayMs(history[0]!.day);
  // Each day owns the width up to the next: the last one gets a day of its own.
  const end = dayMs(history[history.length - 1]!.day) + DAY_MS;
  const x = (t: number) => pad.left + ((t - first) / Math.max(DAY_MS, end - first)) * (width - pad.left - pad.right);
  const y = (level: number) => pad.top + ((3 - level) / 3) * (height - pad.top - pad.bottom);
  const path = history
    .map((d, i) => {
      const to = i + 1 < history.length ? dayMs(history[i + 1]!.day) : end;
      return `${i === 0 ? `M${x(dayMs(d.day)).toFixed(1)},${y(d.level).toFixed(1)}` : `V${y(d.level).toFixed(1)}`} H${x(to).toFixed(1)}`;
    })
    .join(' ');
  const firstDay = history[0]!;
  const lastDay = history[history.length - 1]!;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      className="chart trend"
      data-testid="scorecard-trend-chart"
      role="img"
      aria-label={`level over ${history.length} day(s): ${LEVEL_NAMES[firstDay.level]} on ${firstDay.day}, ${LEVEL_NAMES[lastDay.level]} on ${lastDay.day}`}
    >
      {[0, 1, 2, 3].map((l) => (
        <g key={l}>
          <line x1={pad.left} x2={width - pad.right} y1={y(l)} y2={y(l)} className="axis grid-line" />
          <text x={4} y={y(l) + 4} className="tick">
            {LEVEL_NAMES[l]}
          </text>
        </g>
      ))}
      {expected ? <line x1={pad.left} x2={width - pad.right} y1={y(expected)} y2={y(expected)} className="expected-line" data-testid="trend-expected" /> : null}
      <path d={path} className="line" fill="none" />
      {history.map((d) => (
        <circle key={d.day} cx={x(dayMs(d.day))} cy={y(d.level)} r={3.5} className="trend-point" data-testid="trend-day" data-day={d.day} data-level={LEVEL_NAMES[d.level]}>
          <title>{`${d.day}: ${LEVEL_NAMES[d.level]} (${d.passed} passed, ${d.failed} failed, ${d.notMeasured} not measured)`}</title>
        </circle>
      ))}
      <text x={pad.left} y={height - 8} className="tick">
        {firstDay.day}
      </text>
      {history.length > 1 ? (
        <text x={width - pad.right} y={height - 8} className="tick" textAnchor="end">
          {lastDay.day}
        </text>
      ) : null}
    </svg>
  );
}

/** The daily snapshots: the level drawn over the days, and each day's counts beside it. */
export function ScorecardTrend({ history, expected }: { history: ScoreDay[]; expected: number | null }) {
  if (history.length === 0) return <p data-testid="scorecard-trend">No daily snapshot yet: the monitor keeps one a day.</p>;
  // Newest first in the table: the day that matters most is on top.
  const newestFirst = [...history].reverse();
  return (
    <div data-testid="scorecard-trend">
      <LevelSteps history={history} expected={expected} />
      {expected ? <p className="graph-legend">Dashed: the level its phase expects.</p> : null}
      <div className="scroll">
        <table data-testid="scorecard-history">
          <thead>
            <tr>
              <th scope="col">day</th>
              <th scope="col">level</th>
              <th scope="col">passed</th>
              <th scope="col">failed</th>
              <th scope="col">not measured</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((d) => (
              <tr key={d.day} data-day={d.day}>
                <td>{d.day}</td>
                <td>{LEVEL_NAMES[d.level] ?? d.level}</td>
                <td>{d.passed}</td>
                <td>{d.failed}</td>
                <td>{d.notMeasured}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
