import type { DbOrTx } from '../store/store.js';
import type { EdgeProxies } from './edges/edgeProxies.js';
import { knownEdges, type DeclaredDependency, type KnownEdge } from './sweep/sweepPlan.js';
import { latestEdgeVerdicts } from './sweep/edgeVerdicts.js';
import { dependencyGraph, type DependencyGraph } from './dependencyGraph.js';
import { reliabilityScores } from './reliabilityScore.js';

export interface GraphSources {
  db: DbOrTx;
  edgeProxies: EdgeProxies;
  serviceDependencies: ReadonlyMap<string, readonly DeclaredDependency[]>;
}

/** Every edge prodeng knows now: declared by the Services, seen through discovery, or measured by a sweep. */
export async function currentEdges(src: GraphSources, verdicts?: Awaited<ReturnType<typeof latestEdgeVerdicts>>): Promise<KnownEdge[]> {
  const measured = [...(verdicts ?? (await latestEdgeVerdicts(src.db))).values()].map((v) => ({ caller: v.caller, callee: v.callee }));
  const live = src.edgeProxies.observedEdges();
  const seen = (e: { caller: string; callee: string }) => live.some((l) => l.caller === e.caller && l.callee === e.callee);
  return knownEdges(src.serviceDependencies, [...live, ...measured.filter((m) => !seen(m))], (s) => src.edgeProxies.takesProxy(s)).map((e) => ({
    ...e,
    // measured once means seen once; "observed" is about traffic right now
    observed: seen(e),
  }));
}

/** The graph as the console and the catalog show it, now. */
export async function currentDependencyGraph(src: GraphSources, now: number): Promise<DependencyGraph> {
  // One read of the verdicts serves both the edges and their labels.
  const verdicts = await latestEdgeVerdicts(src.db);
  return dependencyGraph([...src.serviceDependencies.keys()], await currentEdges(src, verdicts), verdicts, await reliabilityScores(src.db, now));
}
