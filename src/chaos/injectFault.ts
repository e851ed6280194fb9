import type { z } from 'zod';
import type { DbOrTx } from '../store/store.js';
import type { Clock } from '../store/clock.js';
import type { FaultKind } from './faultKinds.js';
import { FAULT_LEASE_MS, markReverted, recordFault } from './faultLeases.js';
import { labBlastRadius } from './blastRadius.js';
import { DEFAULT_MAX_BLAST_RADIUS } from './runGuard.js';

export interface FaultRequest {
  runId: number | null;
  kind: string;
  target: Record<string, unknown>;
}

export interface InjectedFaultView {
  id: number;
  kind: string;
  /** the target as recorded, with what was hit (a host, a toxic's name) pinned */
  target: Record<string, unknown>;
  effect: Record<string, unknown>;
  leaseExpiresAt: number;
}

export type InjectOutcome =
  | { ok: true; fault: InjectedFaultView }
  /** `invalid`: the target did not fit its kind's schema (a 400 with the fields) */
  | { ok: false; status: number; code: string; message: string; invalid?: z.ZodError };

/**
 * One fault, whoever asks (the HTTP route, a server-side run): the kind and
 * its target are checked, the run must still be running, the fault is
 * recorded before it is injected (a process killed in between still leaves
 * it to revert), and what was hit is pinned into the target so its revert
 * undoes exactly that. A fault that could not be injected is marked so at
 * once, and never reverted by the dead man's switch.
 */
export async function injectFault(db: DbOrTx, kinds: Readonly<Record<string, FaultKind<any>>>, clock: Clock, request: FaultRequest): Promise<InjectOutcome> {
  const kind = Object.hasOwn(kinds, request.kind) ? kinds[request.kind] : undefined;
  if (!kind) return { ok: false, status: 400, code: 'invalid_request', message: `kind: unknown fault kind "${request.kind}" (known: ${Object.keys(kinds).join(', ')})` };
  const target = kind.target.safeParse(request.target);
  if (!target.success) return { ok: false, status: 400, code: 'invalid_request', message: target.error.issues[0]?.message ?? 'invalid target', invalid: target.error };
  if (request.runId !== null) {
    const run = await db.selectFrom('chaos_runs').select(['status', 'max_blast_radius']).where('id', '=', request.runId).executeTakeFirst();
    if (!run) return { ok: false, status: 404, code: 'not_found', message: `no chaos run ${request.runId}` };
    if (run.status !== 'running') return { ok: false, status: 409, code: 'conflict', message: `chaos run ${request.runId} is ${run.status}; it injects nothing more` };
    // Measured, not declared: what this fault and the run's others would break of the service, against the run's limit.
    if (request.kind === 'lab-fault') {
      const t = target.data as { service: string; host?: string };
      const radius = await labBlastRadius(db, request.runId, t);
      const max = run.max_blast_radius ?? DEFAULT_MAX_BLAST_RADIUS;
      if (radius && radius.share > max) {
        return { ok: false, status: 423, code: 'blast_radius', message: `this fault would break ${radius.hosts.length} of ${radius.of} ${radius.service} hosts (${radius.hosts.join(', ')}: ${Math.round(radius.share * 100)}%), above the run's limit of ${Math.round(max * 100)}%` };
      }
    }
  }
  const now = clock.now();
  const id = await recordFault(db, { runId: request.runId, kind: request.kind, target: target.data, spec: {} }, now);
  try {
    const effect = await kind.inject(target.data);
    const pinned = { ...target.data, ...(typeof effect.host === 'string' ? { host: effect.host } : {}), ...(typeof effect.name === 'string' ? { name: effect.name } : {}) };
    await db.updateTable('chaos_faults').set({ target: JSON.stringify(pinned) }).where('id', '=', id).execute();
    return { ok: true, fault: { id, kind: request.kind, target: pinned, effect, leaseExpiresAt: now + FAULT_LEASE_MS } };
  } catch (err) {
    await markReverted(db, id, 'never injected', clock.now());
    const e = err as Error & { status?: number; code?: string };
    return { ok: false, status: e.status && e.status < 500 ? e.status : 502, code: e.code ?? 'fault_failed', message: e.message };
  }
}
