import type { ProdengFunction } from './experiment/index.js';

/** How a registry reaches faults: over the server's HTTP API (the CLI) or by direct calls (a server-side run). */
export interface FaultActions {
  /** records, injects and leases one fault to the run; returns the fault's id, its pinned target and what it did */
  inject(kind: string, target: Record<string, unknown>): Promise<{ id: number; target: Record<string, unknown>; effect: unknown }>;
  /** reverts one fault this run injected */
  revert(id: number): Promise<void>;
}

interface Injected {
  id: number;
  kind: string;
  target: Record<string, unknown>;
}

const matches = (value: unknown, wanted: unknown) => wanted === undefined || value === wanted;

/**
 * The `prodeng` provider's functions, one set whoever runs the experiment:
 * each `*.add`/`break` injects through `actions` and remembers the fault, so
 * the matching `remove`/`heal` (and `chaos.revert_all`) reverts what this
 * run injected and nothing of another run's.
 */
export function chaosRegistry(actions: FaultActions): Record<string, ProdengFunction> {
  const injected: Injected[] = [];
  const inject = async (kind: string, args: Record<string, unknown>) => {
    const fault = await actions.inject(kind, args);
    injected.push({ id: fault.id, kind, target: fault.target });
    return fault;
  };
  const revert = async (pick: (f: Injected) => boolean) => {
    const gone = injected.filter(pick);
    for (const f of gone) await actions.revert(f.id);
    injected.splice(0, injected.length, ...injected.filter((f) => !gone.includes(f)));
    return { reverted: gone.map((f) => f.id) };
  };
  return {
    // A lab host broken through prodeng, held on the run's lease.
    'lab.break': (args) => inject('lab-fault', args),
    'lab.heal': (args) => revert((f) => f.kind === 'lab-fault' && matches(f.target.service, args.service)),
    // A toxic on one of prodeng's fault proxies (Toxiproxy's types, plus blackhole and http_error), on the run's lease.
    'proxy.add_toxic': (args) => inject('toxic', args),
    'proxy.remove_toxic': (args) => revert((f) => f.kind === 'toxic' && matches(f.target.proxy, args.proxy) && matches(f.target.name, args.name)),
    // A toxic on every fault proxy of one dependency edge (frontend -> ad), so the callee's other callers are untouched.
    'edge.add_toxic': (args) => inject('edge', args),
    'edge.remove_toxic': (args) => revert((f) => f.kind === 'edge' && matches(f.target.from, args.from) && matches(f.target.to, args.to)),
    'chaos.revert_all': () => revert(() => true),
  };
}
