import type { DbOrTx } from '../store/store.js';
import { automationState } from '../remediation/automationSwitch.js';

export interface RunTarget {
  /** the service the experiment targets */
  service: string | null;
  /** the share of the service's hosts it touches (0..1), when it says */
  blastRadius?: number | undefined;
  /** the most it may touch (default 0.5: never half the service or more at once... unless allowed) */
  maxBlastRadius?: number | undefined;
}

/** Never half of a service or more at once, unless a run says it may. */
export const DEFAULT_MAX_BLAST_RADIUS = 0.5;

export type GuardAnswer = { allow: true } | { allow: false; code: 'incident_open' | 'automation_paused' | 'blast_radius'; reason: string };

/**
 * Whether a chaos run may start now: never while its service has an open
 * incident (people are already fighting a fire there), never while
 * automation is paused (someone stopped the machines on purpose), never
 * with a blast radius above its limit.
 */
export async function mayRunExperiment(db: DbOrTx, target: RunTarget): Promise<GuardAnswer> {
  const automation = await automationState(db);
  if (automation.paused) return { allow: false, code: 'automation_paused', reason: `automation is paused${automation.changedBy ? ` by ${automation.changedBy}` : ''}${automation.reason ? `: ${automation.reason}` : ''}; resume it before running experiments` };
  if (target.service) {
    const open = await db.selectFrom('incidents').select(['id', 'title']).where('service', '=', target.service).where('status', 'in', ['open', 'acknowledged']).orderBy('id').executeTakeFirst();
    if (open) return { allow: false, code: 'incident_open', reason: `service ${target.service} has open incident ${open.id} (${open.title}); experiments wait until it is resolved` };
  }
  const max = target.maxBlastRadius ?? DEFAULT_MAX_BLAST_RADIUS;
  if (target.blastRadius !== undefined && target.blastRadius > max) {
    return { allow: false, code: 'blast_radius', reason: `the experiment would touch ${Math.round(target.blastRadius * 100)}% of ${target.service ?? 'its target'}, above its limit of ${Math.round(max * 100)}%` };
  }
  return { allow: true };
}
