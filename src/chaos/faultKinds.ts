import { z } from 'zod';
import type { DbOrTx } from '../store/store.js';
import { breakLabHost, healLab, LAB_SCENARIOS } from '../lab/labFaults.js';
import type { FaultReverter } from './faultLeases.js';
import type { FaultProxy } from './proxy/index.js';
import type { EdgeProxies } from './edges/edgeProxies.js';

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

const toxicTarget = z
  .object({
    proxy: z.string().min(1, 'must name a proxy'),
    type: z.string().min(1, 'must name a toxic type, e.g. latency, timeout, blackhole'),
    name: z.string().min(1).optional(),
    stream: z.enum(['upstream', 'downstream'], { error: 'must be upstream or downstream' }).optional(),
    toxicity: z.number().min(0).max(1).optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
type ToxicTarget = z.output<typeof toxicTarget>;

const edgeTarget = z
  .object({
    from: z.string().min(1, 'must name the calling service'),
    to: z.string().min(1, 'must name the called service'),
    type: z.string().min(1, 'must name a toxic type, e.g. blackhole, latency, http_error'),
    name: z.string().min(1).optional(),
    stream: z.enum(['upstream', 'downstream'], { error: 'must be upstream or downstream' }).optional(),
    toxicity: z.number().min(0).max(1).optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
type EdgeTarget = z.output<typeof edgeTarget>;

/**
 * The fault kinds of this server: a lab host broken through its fault API,
 * a toxic on one of its fault proxies, and a toxic on every proxy of one
 * dependency edge (frontend to cart).
 */
export function faultKinds(db: DbOrTx, proxies?: FaultProxy, edges?: EdgeProxies): Record<string, FaultKind<any>> {
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
  if (!proxies) return { 'lab-fault': labFault };
  const toxic: FaultKind<ToxicTarget> = {
    target: toxicTarget,
    async inject(target) {
      const { proxy, ...spec } = target;
      const added = proxies.addToxic(proxy, spec);
      // The name is pinned, so the revert removes this toxic and no other.
      return { name: added.name, proxy, toxic: added };
    },
    async revert(target) {
      try {
        proxies.removeToxic(target.proxy, target.name ?? `${target.type}_${target.stream ?? 'downstream'}`, 'api');
      } catch (err) {
        // Gone already (its proxy was removed, or prodeng restarted and the proxies with it): nothing left to undo.
        if ((err as { status?: number }).status !== 404) throw err;
      }
    },
  };
  if (!edges) return { 'lab-fault': labFault, toxic };
  const edge: FaultKind<EdgeTarget> = {
    target: edgeTarget,
    async inject(target) {
      const { from, to, ...spec } = target;
      const added = edges.addToxic(from, to, spec);
      return { name: added.name, proxies: added.proxies, toxic: added.toxics[0] };
    },
    async revert(target) {
      edges.removeToxic(target.from, target.to, target.name ?? `${target.type}_edge`);
    },
  };
  return { 'lab-fault': labFault, toxic, edge };
}

/** The reverters the dead man's switch uses, from the same kinds. */
export function faultReverters(kinds: Record<string, FaultKind<any>>): Record<string, FaultReverter> {
  return Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, (target: Record<string, unknown>) => kind.revert(target)]));
}
