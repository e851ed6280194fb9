import type { PyramidRubric, ScoredCheck } from './CatalogApi';
import { LEVEL_NAMES, markOf } from './CatalogApi';
import { CheckStatusMark } from './ScorecardMarks';

const measured = (ms: number) => new Date(ms).toLocaleString();

/** The measurement behind a fact, as JSON text (never markup), folded away until asked for. */
function Evidence({ check }: { check: ScoredCheck }) {
  if (!check.evidence) return <>-</>;
  return (
    <details className="evidence">
      <summary>evidence</summary>
      <pre data-testid="check-evidence">{JSON.stringify(check.evidence, null, 2)}</pre>
    </details>
  );
}

function Exemption({ check }: { check: ScoredCheck }) {
  if (!check.exemption) return <>-</>;
  return (
    <span data-testid="check-exemption">
      {check.exemption.reason} <small>(until {check.exemption.expires})</small>
    </span>
  );
}

/**
 * Every check with what it found: the fact, where it was read, when, an
 * exemption in force, and the evidence. Bottom layer first, as the pyramid
 * is built.
 */
export function ScorecardChecks({ rubric, checks }: { rubric: PyramidRubric; checks: ScoredCheck[] }) {
  const layerOrder = (layer: string) => {
    const i = rubric.layers.findIndex((l) => l.layer === layer);
    return i < 0 ? rubric.layers.length : i;
  };
  const ordered = [...checks].sort((a, b) => layerOrder(a.layer) - layerOrder(b.layer) || a.level - b.level || a.id.localeCompare(b.id));
  return (
    <div className="scroll">
      <table data-testid="scorecard-checks">
        <caption>Checks and their evidence</caption>
        <thead>
          <tr>
            <th scope="col">check</th>
            <th scope="col">status</th>
            <th scope="col">fact</th>
            <th scope="col">source</th>
            <th scope="col">measured</th>
            <th scope="col">exemption</th>
            <th scope="col">evidence</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((c) => (
            <tr key={c.id} id={`check-${c.id}`} data-check={c.id} data-mark={markOf(c)} className={`mark-row-${markOf(c)}`}>
              <td>
                {c.title}
                <br />
                <small>
                  {c.id} · {c.layer} · {LEVEL_NAMES[c.level]}
                </small>
              </td>
              <td>
                <CheckStatusMark mark={markOf(c)} />
                {c.exemption ? <small> (measured {c.status === 'not_measured' ? 'not measured' : c.status})</small> : null}
              </td>
              <td data-testid="check-fact">{c.fact}</td>
              <td data-testid="check-source">{c.source}</td>
              <td data-testid="check-measured">
                <time dateTime={new Date(c.measuredAt).toISOString()}>{measured(c.measuredAt)}</time>
              </td>
              <td>
                <Exemption check={c} />
              </td>
              <td>
                <Evidence check={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
