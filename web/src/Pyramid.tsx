import type { PyramidRubric, ScoredCheck, ServiceScore } from './CatalogApi';
import { LEVEL_NAMES, markOf } from './CatalogApi';
import { CheckStatusMark } from './ScorecardMarks';

const LEVELS = [1, 2, 3] as const;
// Each layer up is inset this much more on each side: the picture narrows to a point like the pyramid it is.
const INSET_PER_LAYER_PCT = 3;

/** Opens a check's row in the evidence table below and brings it into view (in-page anchors would fight the hash routes). */
function showEvidence(id: string) {
  const row = document.getElementById(`check-${id}`);
  if (!row) return;
  row.querySelector('details')?.setAttribute('open', '');
  row.scrollIntoView({ block: 'center' });
  row.classList.add('flash');
  setTimeout(() => row.classList.remove('flash'), 1500);
}

function PyramidCell({ layer, level, checks, reached }: { layer: string; level: 1 | 2 | 3; checks: ScoredCheck[]; reached: boolean }) {
  const name = LEVEL_NAMES[level];
  const passed = checks.filter((c) => markOf(c) === 'passed' || markOf(c) === 'exempt').length;
  return (
    <div
      className={`pyramid-cell level-${name}${reached ? ' reached' : ''}`}
      data-testid="pyramid-cell"
      data-layer={layer}
      data-level={name}
      data-reached={reached ? 'true' : 'false'}
      role="group"
      aria-label={`${layer}, ${name}: ${checks.length === 0 ? 'no checks' : `${passed} of ${checks.length} passed or exempt`}${reached ? ', reached' : ''}`}
    >
      <div className="pyramid-cell-level">
        {name}
        {reached ? <span className="reached-mark"> ★ reached</span> : null}
      </div>
      {checks.length === 0 ? (
        <small>no checks</small>
      ) : (
        <ul>
          {checks.map((c) => (
            <li key={c.id} data-check={c.id} data-mark={markOf(c)}>
              <CheckStatusMark mark={markOf(c)} />{' '}
              <button type="button" className="link" title={c.fact} onClick={() => showEvidence(c.id)}>
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The service pyramid drawn: lifecycle at the bottom, upkeep at the top,
 * bronze, silver and gold across each layer, every check in its cell with
 * its mark; the levels the service has reached are highlighted.
 */
export function Pyramid({ rubric, score }: { rubric: PyramidRubric; score: ServiceScore }) {
  // The API lists layers bottom-up; a page is read top-down, so the top layer comes first.
  const topDown = [...rubric.layers].reverse();
  const bottomIndex = (layer: string) => rubric.layers.findIndex((l) => l.layer === layer);
  return (
    <figure className="pyramid" data-testid="pyramid" aria-label={`service pyramid: ${score.levelName} reached`}>
      {topDown.map(({ layer, title }) => {
        const inset = bottomIndex(layer) * INSET_PER_LAYER_PCT;
        return (
          <div key={layer} className="pyramid-layer" data-testid="pyramid-layer" data-layer={layer} style={{ marginLeft: `${inset}%`, marginRight: `${inset}%` }}>
            <div className="pyramid-layer-title">
              <strong>{layer}</strong> <small>{title}</small>
            </div>
            <div className="pyramid-cells">
              {LEVELS.map((level) => (
                <PyramidCell key={level} layer={layer} level={level} reached={level <= score.level} checks={score.checks.filter((c) => c.layer === layer && c.level === level)} />
              ))}
            </div>
          </div>
        );
      })}
      <figcaption className="graph-legend">
        Bottom up, as a service is built: a level is reached when every check of it and of the levels below passes or is exempt. ★ marks the levels reached. Marks: ✓ passed, ✗ failed, ? not measured (never counted as passing), – exempt.
      </figcaption>
    </figure>
  );
}
