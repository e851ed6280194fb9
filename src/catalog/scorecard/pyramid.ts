/**
 * The service pyramid as a rubric: layers from the bottom up (a service
 * must first fit the tools for its servers' lifecycle and its on-call
 * before tuning and upkeep mean much), levels across, and the phase a
 * service is in deciding which level it is expected to have reached.
 */
export const LAYERS = ['lifecycle', 'oncall', 'monitoring', 'reliability', 'performance', 'upkeep'] as const;
export type Layer = (typeof LAYERS)[number];

export const LAYER_TITLES: Record<Layer, string> = {
  lifecycle: 'Server lifecycle: provision, monitor, replace, drain, decommission',
  oncall: 'On-call: people, escalation, load',
  monitoring: 'Monitoring beyond alert response',
  reliability: 'Reliability: SLOs, experiments, deployments',
  performance: 'Performance before users complain',
  upkeep: 'Upkeep nobody else does',
};

/** 1 Bronze, 2 Silver, 3 Gold; 0 is "no level yet". */
export const LEVELS = [1, 2, 3] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_NAMES: Record<0 | Level, string> = { 0: 'none', 1: 'bronze', 2: 'silver', 3: 'gold' };

export const PHASES = ['bootstrap', 'scale', 'excellence'] as const;
export type Phase = (typeof PHASES)[number];

/** A service bootstrapping must stand on the bottom; one at scale needs the middle; excellence, all of it. */
export const EXPECTED_LEVEL: Record<Phase, Level> = { bootstrap: 1, scale: 2, excellence: 3 };
