import type { CatalogEntry, PyramidRubric, ScorecardNotice, ServiceScoreDetail } from './CatalogApi';
import { LEVEL_NAMES } from './CatalogApi';
import { CatalogEntryCard } from './CatalogEntryCard';
import { Pyramid } from './Pyramid';
import { ScorecardChecks } from './ScorecardChecks';
import { LevelBadge } from './ScorecardMarks';
import { ScorecardTrend } from './ScorecardTrend';
import { useApi } from './useApi';
import { when } from './when';

/** The checks holding the service below what its phase expects: what to work on first. */
function Holding({ score }: { score: ServiceScoreDetail }) {
  if (!score.behind || !score.expected) return null;
  const holding = score.checks.filter((c) => !c.exemption && c.status !== 'passed' && c.level <= score.expected!);
  return (
    <p className="warn" data-testid="scorecard-holding">
      ⚠ Behind: its {score.phase} phase expects {LEVEL_NAMES[score.expected]}. Holding it back: {holding.map((c) => c.title).join('; ')}.
    </p>
  );
}

/** What the monitor told the team when a passing check started failing, newest first. */
function Notices({ notices }: { notices: ScorecardNotice[] }) {
  if (notices.length === 0) return <p>No notices: no passing check has started failing.</p>;
  return (
    <ul className="timeline" data-testid="scorecard-notices">
      {notices.map((n, i) => (
        <li key={i}>
          <time dateTime={n.at}>{when(n.at)}</time> <span className="kind">{n.title}</span> — {n.detail}
        </li>
      ))}
    </ul>
  );
}

function ScoreCard({ score, rubric }: { score: ServiceScoreDetail; rubric: PyramidRubric | null }) {
  const { passed, failed, notMeasured, exempt } = score.counts;
  return (
    <section className="card" aria-labelledby="h-scorecard" data-testid="scorecard">
      <h2 id="h-scorecard">Scorecard</h2>
      <p data-testid="scorecard-level">
        Level reached: <LevelBadge score={score} /> · {passed} passed, {failed} failed, {notMeasured} not measured, {exempt} exempt
      </p>
      <Holding score={score} />
      {rubric ? <Pyramid rubric={rubric} score={score} /> : <p>Loading the pyramid…</p>}
      {rubric ? <ScorecardChecks rubric={rubric} checks={score.checks} /> : null}
    </section>
  );
}

/** #/catalog/:service: the catalog entry, the pyramid with each check's evidence, the trend and the notices. */
export function ScorecardPage({ service }: { service: string }) {
  const path = encodeURIComponent(service);
  const { data: entry, error: entryError } = useApi<CatalogEntry>(`/api/v1/catalog/services/${path}`, 30_000);
  const { data: score, error: scoreError } = useApi<ServiceScoreDetail>(`/api/v1/scorecard/${path}`, 30_000);
  // The rubric changes only with a release: read it once a while.
  const { data: rubric } = useApi<PyramidRubric>('/api/v1/scorecard/checks', 300_000);
  if (entryError) return <p className="error">{entryError.message}</p>;
  if (!entry) return <p>Loading…</p>;
  return (
    <>
      <p>
        <a href="#/catalog">← Catalog</a>
      </p>
      <CatalogEntryCard entry={entry} />
      {scoreError ? <p className="error">scorecard: {scoreError.message}</p> : null}
      {score ? <ScoreCard score={score} rubric={rubric} /> : !scoreError ? <p>Loading the scorecard…</p> : null}
      {score ? (
        <section className="card" aria-labelledby="h-trend">
          <h2 id="h-trend">Trend</h2>
          <ScorecardTrend history={score.history} expected={score.expected} />
        </section>
      ) : null}
      {score ? (
        <section className="card" aria-labelledby="h-notices">
          <h2 id="h-notices">Notices</h2>
          <Notices notices={score.notices} />
        </section>
      ) : null}
    </>
  );
}
