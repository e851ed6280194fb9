import type { HostState } from '../store/schema.js';

export const HOST_STATES: readonly HostState[] = ['provisioning', 'in_service', 'draining', 'out_of_service', 'repairing', 'decommissioned'];

/**
 * The lifecycle. A host leaves service through draining (instant for a dead
 * one), is repaired or decommissioned from out of service, and comes back
 * only through in_service's front doors: provisioned, repaired or undrained.
 */
const LEGAL: Record<HostState, readonly HostState[]> = {
  provisioning: ['in_service', 'decommissioned'],
  in_service: ['draining'],
  draining: ['out_of_service', 'in_service'],
  out_of_service: ['repairing', 'in_service', 'decommissioned'],
  repairing: ['in_service', 'out_of_service'],
  decommissioned: [],
};

export function canTransition(from: HostState, to: HostState): boolean {
  return LEGAL[from].includes(to);
}

export function legalNextStates(from: HostState): readonly HostState[] {
  return LEGAL[from];
}

/** Serving traffic: what discovery lists and capacity counts. */
export const SERVING: HostState = 'in_service';
