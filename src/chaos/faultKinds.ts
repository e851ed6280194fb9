import { z } from 'zod';
import type { DbOrTx } from '../store/store.js';
import { breakLabHost, healLab, LAB_SCENARIOS } from '../lab/labFaults.js';
import type { FaultReverter } from './faultLeases.js';

/** One kind of fault prodeng can inject and revert: its target's schema, how to inject it, how to undo it. */
export interface FaultKind<T = Record<string, unknown>> {
  target: z.ZodType<T>;
  /** injects; returns what a journal should show, or throws with a message a person can act on */
  inject(target: T): Promise<Record<string, unknown>>;
  revert(target: T): Promise<void>;
}

const labFaultTarget = z
  .object({
    scenario: z.enum(LAB_SCENARIOS, { error: `must be one of ${LAB_SCENARIOS.join(', ')}` }),
    service: z.string().min(1, 'must name a service'),
    host: z.string().min(1).optional(),
    ms: z.number().int().positive().optional(),
    path: z.string().startsWith('/').optional(),
    share: z.number().gt(0).max(1).optional(),
    mbPerSecond: z.number().positive().optional(),
  })
  .strict();
type LabFaultTarget = z.output<typeof labFaultTarget>;

/** The fault kinds of this server: a lab host broken through its fault API (and toxics once a proxy runs). */
export function faultKinds(db: DbOrTx): Record<string, FaultKind<any>> {
  const labFault: FaultKind<LabFaultTarget> = {
    target: labFaultTarget,
    async inject(target) {
      const result = await breakLabHost(db, target);
      if (!result.ok) throw Object.assign(new Error(result.message), { status: result.status, code: result.code });
      // The host is pinned, so the revert heals the host that was broken, not whichever comes first.
      return { host: result.host, scenario: result.scenario, effect: result.effect };
    },
    async revert(target) {
      await healLab(db, target.service, target.host);
    },
  };
  return { 'lab-fault': labFault };
}

/** The reverters the dead man's switch uses, from the same kinds. */
export function faultReverters(kinds: Record<string, FaultKind<any>>): Record<string, FaultReverter> {
  return Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, (target: Record<string, unknown>) => kind.revert(target)]));
}
