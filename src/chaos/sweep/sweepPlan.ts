/** One dependency edge as prodeng knows it: declared by the caller's Service, seen in discovery traffic, or both. */
export interface KnownEdge {
  caller: string;
  callee: string;
  declared: 'required' | 'optional' | null;
  /** the caller asked discovery for the callee, naming itself */
  observed: boolean;
  /** a fault proxy sits on it, so a sweep can break it */
  proxied: boolean;
}

export interface DeclaredDependency {
  service: string;
  required: boolean;
}

/** Every known edge: the config's dependsOn merged with what discovery saw. */
export function knownEdges(declared: ReadonlyMap<string, readonly DeclaredDependency[]>, observed: readonly { caller: string; callee: string }[], proxied: (callee: string) => boolean): KnownEdge[] {
  const edges = new Map<string, KnownEdge>();
  for (const [caller, deps] of declared) {
    for (const d of deps) edges.set(`${caller}>${d.service}`, { caller, callee: d.service, declared: d.required ? 'required' : 'optional', observed: false, proxied: proxied(d.service) });
  }
  for (const o of observed) {
    const key = `${o.caller}>${o.callee}`;
    const edge = edges.get(key) ?? { caller: o.caller, callee: o.callee, declared: null, observed: false, proxied: proxied(o.callee) };
    edge.observed = true;
    edges.set(key, edge);
  }
  return [...edges.values()];
}

/**
 * The edges under a service, breadth first (its own, then its
 * dependencies', …), each once. The order is fixed by the declarations and
 * then by name, so two sweeps of the same lab break the same edges in the
 * same order.
 */
export function edgesUnder(service: string, edges: readonly KnownEdge[]): KnownEdge[] {
  const byCaller = new Map<string, KnownEdge[]>();
  for (const e of edges) byCaller.set(e.caller, [...(byCaller.get(e.caller) ?? []), e]);
  const order: KnownEdge[] = [];
  const seen = new Set<string>([service]);
  const queue = [service];
  while (queue.length > 0) {
    const caller = queue.shift()!;
    const own = [...(byCaller.get(caller) ?? [])].sort((a, b) => declaredFirst(a) - declaredFirst(b) || a.callee.localeCompare(b.callee));
    for (const e of own) {
      order.push(e);
      if (!seen.has(e.callee)) {
        seen.add(e.callee);
        queue.push(e.callee);
      }
    }
  }
  return order;
}

const declaredFirst = (e: KnownEdge) => (e.declared === null ? 1 : 0);
