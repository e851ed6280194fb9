import { verdictKey, verdictLabel, type GraphEdge } from './DependencyGraph';
import { when } from './when';

/** What the caller's Service says of the edge, in words. */
const declaredLabel = (d: GraphEdge['declared']) => (d === null ? 'not declared' : d);

/** Each fault the sweep injected on the edge, what the caller did and what was seen. */
function FaultOutcomes({ edge }: { edge: GraphEdge }) {
  const faults = edge.verdict?.faults ?? [];
  if (faults.length === 0) return <>-</>;
  return (
    <ul className="fault-outcomes">
      {faults.map((f, i) => (
        <li key={i} className={`outcome-${f.outcome}`}>
          <strong>{f.fault}</strong>: {f.outcome}
          {f.detail ? ` — ${f.detail}` : ''}
        </li>
      ))}
    </ul>
  );
}

/** The graph's edges as a table: everything the picture shows, and each fault's detail, for reading and copying. */
export function ChaosEdgeTable({ edges }: { edges: GraphEdge[] }) {
  return (
    <div className="scroll">
      <table data-testid="chaos-edges">
        <caption>Calls</caption>
        <thead>
          <tr>
            <th scope="col">caller</th>
            <th scope="col">callee</th>
            <th scope="col">declared</th>
            <th scope="col">seen in traffic</th>
            <th scope="col">verdict</th>
            <th scope="col">measured at</th>
            <th scope="col">faults</th>
            <th scope="col">drift</th>
          </tr>
        </thead>
        <tbody>
          {edges.map((e) => (
            <tr key={`${e.from}>${e.to}`} className={[e.drift ? 'drift' : '', e.onCriticalPath ? 'critical-path' : ''].filter(Boolean).join(' ') || undefined} data-critical-path={e.onCriticalPath ? 'true' : 'false'}>
              <td>{e.from}</td>
              <td>{e.to}</td>
              <td>{declaredLabel(e.declared)}</td>
              <td>{e.observed ? 'yes' : 'no'}</td>
              <td className={`verdict verdict-${verdictKey(e.verdict)}`}>
                {verdictLabel(e.verdict)}
                {e.onCriticalPath ? <span className="badge critical-path"> critical path</span> : null}
              </td>
              <td>
                {e.verdict ? (
                  <>
                    <time dateTime={e.verdict.measuredAt}>{when(e.verdict.measuredAt)}</time>
                    {e.verdict.runId !== null ? (
                      <>
                        {' '}
                        (<a href={`#/chaos/runs/${e.verdict.runId}`}>run {e.verdict.runId}</a>)
                      </>
                    ) : null}
                  </>
                ) : (
                  '-'
                )}
              </td>
              <td>
                <FaultOutcomes edge={e} />
              </td>
              <td>{e.drift ? <span className="drift-flag">⚠ {e.drift}</span> : '-'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
