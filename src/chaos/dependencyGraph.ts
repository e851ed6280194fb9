import { edgeDrift } from './sweep/classifyEdge.js';
import { edgeKey, type EdgeVerdict, type StoredEdgeFinding } from './sweep/edgeVerdicts.js';
import type { KnownEdge } from './sweep/sweepPlan.js';
import type { ReliabilityScore } from './reliabilityScore.js';

export interface GraphEdge {
  from: string;
  to: string;
  declared: KnownEdge['declared'];
  observed: boolean;
  verdict: { verdict: EdgeVerdict; measuredAt: string; runId: number; faults: StoredEdgeFinding['faults'] } | null;
  onCriticalPath: boolean;
  drift: string | null;
}

export interface GraphService {
  name: string;
  /** nobody calls it: where users come in */
  root: boolean;
  onCriticalPath: boolean;
  reliability: { score: number | null; runs: number; lastRunAt: string | null };
}

export interface DependencyGraph {
  services: GraphService[];
  edges: GraphEdge[];
  sweptAt: string | null;
}

/**
 * The services and their edges, each with its last measured verdict, and
 * the critical path: from every root, the edges a sweep found critical and
 * the services they reach, transitively. An edge never swept is not on it
 * (what is declared is shown beside, as declared).
 */
export function dependencyGraph(services: readonly string[], edges: readonly KnownEdge[], verdicts: ReadonlyMap<string, StoredEdgeFinding>, scores: ReadonlyMap<string, ReliabilityScore>): DependencyGraph {
  const names = [...new Set([...services, ...edges.flatMap((e) => [e.caller, e.callee])])].sort();
  const called = new Set(edges.map((e) => e.callee));
  const roots = names.filter((n) => !called.has(n));
  const critical = (e: KnownEdge) => verdicts.get(edgeKey(e.caller, e.callee))?.verdict === 'critical';

  const onPath = new Set<string>();
  const pathServices = new Set<string>();
  const queue = roots.filter((r) => edges.some((e) => e.caller === r && critical(e)));
  for (const r of queue) pathServices.add(r);
  while (queue.length > 0) {
    const caller = queue.shift()!;
    for (const e of edges) {
      if (e.caller !== caller || !critical(e)) continue;
      onPath.add(edgeKey(e.caller, e.callee));
      if (!pathServices.has(e.callee)) {
        pathServices.add(e.callee);
        queue.push(e.callee);
      }
    }
  }

  let sweptAt: number | null = null;
  const graphEdges = edges.map((e): GraphEdge => {
    const v = verdicts.get(edgeKey(e.caller, e.callee));
    if (v) sweptAt = Math.max(sweptAt ?? 0, v.measuredAt);
    return {
      from: e.caller,
      to: e.callee,
      declared: e.declared,
      observed: e.observed,
      verdict: v ? { verdict: v.verdict, measuredAt: new Date(v.measuredAt).toISOString(), runId: v.runId, faults: v.faults } : null,
      onCriticalPath: onPath.has(edgeKey(e.caller, e.callee)),
      drift: edgeDrift(v?.verdict ?? null, e.declared, e.observed),
    };
  });
  return {
    services: names.map((name) => {
      const s = scores.get(name);
      return { name, root: roots.includes(name), onCriticalPath: pathServices.has(name), reliability: { score: s?.score ?? null, runs: s?.runs ?? 0, lastRunAt: s?.lastRunAt == null ? null : new Date(s.lastRunAt).toISOString() } };
    }),
    edges: graphEdges,
    sweptAt: sweptAt === null ? null : new Date(sweptAt).toISOString(),
  };
}
