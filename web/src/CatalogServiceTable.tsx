import type { CatalogEntry, ServiceScore } from './CatalogApi';
import { LevelBadge } from './ScorecardMarks';

const orDash = (s: string | null) => s ?? '-';

/** One row per service: what the catalog says of it beside the level the scorecard measured. */
export function CatalogServiceTable({ entries, scores }: { entries: CatalogEntry[]; scores: ReadonlyMap<string, ServiceScore> }) {
  return (
    <div className="scroll">
      <table data-testid="catalog-services">
        <thead>
          <tr>
            <th scope="col">service</th>
            <th scope="col">owner</th>
            <th scope="col">system</th>
            <th scope="col">lifecycle</th>
            <th scope="col">phase</th>
            <th scope="col">level</th>
            <th scope="col">drift</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const score = scores.get(e.name);
            return (
              <tr key={e.name} data-service={e.name} className={score?.behind ? 'behind' : undefined}>
                <td>
                  <a href={`#/catalog/${encodeURIComponent(e.name)}`}>{e.name}</a>
                </td>
                <td>{orDash(e.owner)}</td>
                <td>{orDash(e.system)}</td>
                <td>{orDash(e.lifecycle)}</td>
                <td>{orDash(e.phase)}</td>
                <td>{score ? <LevelBadge score={score} /> : 'not scored'}</td>
                <td data-drift={e.drift.length} title={e.drift.join('\n') || undefined}>
                  {e.drift.length === 0 ? 'none' : <span className="drift-flag">⚠ {e.drift.length}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
