import type { HostPoolDoc } from '../hostPoolKind.js';

export type DesiredState = 'up' | 'down';

/**
 * The state a pool's cluster starts in before anyone has turned it up or
 * down (no cluster_states row yet), from the Cluster document's
 * initialState. Filled in when the config is loaded (the Cluster kind's
 * resolve step), keyed by the pool document itself so that the reconciler,
 * which only has the fleet's pools, reads the same config it runs with and
 * a pool of a config without Clusters is 'up', as before clusters existed.
 */
const initial = new WeakMap<HostPoolDoc, DesiredState>();

export function rememberInitialState(pool: HostPoolDoc, state: DesiredState): void {
  initial.set(pool, state);
}

export function initialStateOf(pool: HostPoolDoc): DesiredState {
  return initial.get(pool) ?? 'up';
}
