/**
 * The order a cluster's pools come up in: a pool after the pools of the
 * services it depends on (the Services' spec.dependsOn), so a host that
 * starts finds what it calls already serving. Dependencies on services with
 * no pool in the cluster do not order anything here (they serve elsewhere).
 * Ties go by pool name, so the order is the same on every run.
 */

export interface OrderablePool {
  name: string;
  service: string;
}

export type OrderResult = { ok: true; order: string[] } | { ok: false; cycle: string[]; message: string };

export function turnUpOrder(pools: readonly OrderablePool[], dependsOn: (service: string) => readonly string[]): OrderResult {
  const services = new Set(pools.map((p) => p.service));
  // service -> the services of this cluster it depends on
  const deps = new Map([...services].map((s) => [s, [...new Set(dependsOn(s))].filter((d) => services.has(d) && d !== s)]));
  const placed = new Set<string>();
  const order: string[] = [];
  while (placed.size < services.size) {
    const ready = [...services].filter((s) => !placed.has(s) && deps.get(s)!.every((d) => placed.has(d))).sort();
    if (ready.length === 0) {
      const cycle = findCycle([...services].filter((s) => !placed.has(s)), deps);
      return { ok: false, cycle, message: `services depend on each other in a cycle (${cycle.join(' → ')}) in their spec.dependsOn, so none of them can come up first: remove one of these dependencies, or run one of these services in another cluster` };
    }
    // One service at a time: each pool healthy before the next starts.
    const next = ready[0]!;
    placed.add(next);
    order.push(...pools.filter((p) => p.service === next).map((p) => p.name).sort());
  }
  return { ok: true, order };
}

/** One cycle among the stuck services, as a path that ends where it starts. */
function findCycle(stuck: string[], deps: Map<string, string[]>): string[] {
  const inStuck = new Set(stuck);
  let at = stuck.sort()[0]!;
  const path: string[] = [];
  const seen = new Map<string, number>();
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    // every stuck service has a stuck dependency, else it would have been placed
    at = deps.get(at)!.filter((d) => inStuck.has(d)).sort()[0]!;
  }
  return [...path.slice(seen.get(at)!), at];
}
