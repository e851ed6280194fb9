import { ChaosEdgeTable } from './ChaosEdgeTable';
import { ChaosRunList } from './ChaosRunList';
import { ChaosServiceTable } from './ChaosServiceTable';
import { DependencyGraph, type ChaosGraph } from './DependencyGraph';
import { useApi } from './useApi';
import { when } from './when';

/** The dependency graph with what the sweeps measured, its tables beside it. */
function ChaosGraphCard() {
  const { data: graph, error } = useApi<ChaosGraph>('/api/v1/chaos/graph', 10_000);
  return (
    <section className="card" aria-labelledby="h-chaos-graph">
      <h2 id="h-chaos-graph">Dependency graph</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {!graph && !error ? <p>Loading…</p> : null}
      {graph && graph.services.length === 0 && graph.edges.length === 0 ? <p>No services declare dependencies and discovery has seen no calls yet.</p> : null}
      {graph ? (
        <>
          <p data-testid="chaos-swept-at">{graph.sweptAt ? <>Last sweep <time dateTime={graph.sweptAt}>{when(graph.sweptAt)}</time>.</> : 'No sweep has run yet: every call is not measured.'}</p>
          {/* The picture and the scores side by side; the calls' table is wide (each fault's detail), so it gets the full width below. */}
          <div className="chaos-graph-layout">
            <div className="scroll">
              <DependencyGraph graph={graph} />
            </div>
            <ChaosServiceTable services={graph.services} />
          </div>
          <ChaosEdgeTable edges={graph.edges} />
        </>
      ) : null}
    </section>
  );
}

/** #/chaos: which calls the services cannot do without, as measured, and the runs that measured it. */
export function Chaos() {
  return (
    <>
      <ChaosGraphCard />
      <ChaosRunList />
    </>
  );
}
