import type { CheckStatus } from '../checks/checkOutcome.js';
import { LEVELS, type Level } from './pyramid.js';

export interface GradedCheck {
  level: Level;
  status: CheckStatus;
  /** an exemption in force: the check neither passes nor holds the service back */
  exempt: boolean;
}

/**
 * OpsLevel's rule: a service is at a level when every check of that level
 * and of every level below passes. A check not measured does not pass;
 * an exempt check is left out. With no check at some level, that level is
 * reached once the levels below are.
 */
export function levelReached(checks: readonly GradedCheck[]): 0 | Level {
  let reached: 0 | Level = 0;
  for (const level of LEVELS) {
    const blocking = checks.some((c) => c.level === level && !c.exempt && c.status !== 'passed');
    if (blocking) break;
    reached = level;
  }
  return reached;
}
