import type { DbOrTx } from '../store/store.js';
import type { RemediationPlan } from './plan.js';

export type GateVerdict = 'pass' | 'defer' | 'skip' | 'escalate';

export interface GateDecision {
  gate: 'maxAttempts' | 'cooldown' | 'stormCooldown' | 'maxUnhealthy' | 'rateLimit' | 'maxConcurrent' | 'globalRateLimit';
  verdict: GateVerdict;
  reason: string;
  /** for defer: when to look again */
  until?: number;
  /** for maxUnhealthy: the scope and its counts, for the escalation */
  scope?: { name: string; active: number; failing: number; allowed: number; size: number | null };
}

export interface GateSubject {
  /** the remediation being decided (excluded from the counts), or 0 for a preview */
  id: number;
  plan: RemediationPlan;
}

/** How many hosts a scope such as "cluster=eu-1" has, when known. */
export type ScopeSize = (scope: string) => number | null;

const STARTED = ['running', 'verifying', 'awaiting_approval', 'succeeded', 'failed', 'escalated'] as const;
const ACTING = ['running', 'verifying', 'awaiting_approval'] as const;
export const STORM_PREFIX = 'too many unhealthy in scope';
const DEFAULT_STORM_COOLDOWN_MS = 10 * 60_000;

const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);

async function count(q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }): Promise<number> {
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** The number of targets maxUnhealthy allows to be worked on at once in a scope. */
export function allowedInScope(max: number | string, size: number | null): number | null {
  if (typeof max === 'number') return max;
  if (size === null) return null;
  // A percentage of a scope allows at least one host, so a small scope can still heal.
  return Math.max(1, Math.floor((parseFloat(max) / 100) * size));
}

/**
 * Every gate's verdict, in the order they are applied. The first verdict
 * that is not `pass` decides; all of them go into the audit trail and the
 * plan preview.
 */
export interface GlobalLimits {
  /** remediations started across all runbooks per window */
  rateLimit?: { count: number; per: number } | undefined;
}

export async function evaluateGates(db: DbOrTx, subject: GateSubject, now: number, scopeSize: ScopeSize, global: GlobalLimits = {}): Promise<GateDecision[]> {
  const { plan, id } = subject;
  const safety = plan.safety;
  const decisions: GateDecision[] = [];
  const sameTarget = () => db.selectFrom('remediations').where('runbook', '=', plan.runbook).where('target', '=', plan.target).where('id', '<>', id);

  if (safety.maxAttempts) {
    const { count: limit, within } = safety.maxAttempts;
    const n = await count(sameTarget().where('status', 'in', [...STARTED]).where('started_at', '>=', now - within).select((eb) => eb.fn.countAll().as('n')));
    decisions.push(
      n >= limit
        ? { gate: 'maxAttempts', verdict: 'escalate', reason: `${plan.target} was remediated ${n} times in the last ${minutes(within)} (limit ${limit}): flapping; a human should look instead of another attempt` }
        : { gate: 'maxAttempts', verdict: 'pass', reason: `${n} of ${limit} attempts used in the last ${minutes(within)}` },
    );
  }

  if (safety.cooldown) {
    const last = await sameTarget().where('started_at', 'is not', null).select((eb) => eb.fn.max('finished_at').as('last')).executeTakeFirst();
    const lastEnd = last?.last === null || last?.last === undefined ? null : Number(last.last);
    decisions.push(
      lastEnd !== null && now - lastEnd < safety.cooldown
        ? { gate: 'cooldown', verdict: 'defer', reason: `${plan.target} was last remediated ${minutes(now - lastEnd)} ago; cooldown ${minutes(safety.cooldown)}`, until: lastEnd + safety.cooldown }
        : { gate: 'cooldown', verdict: 'pass', reason: lastEnd === null ? 'not remediated before' : `last remediated ${minutes(now - lastEnd)} ago` },
    );
  }

  if (safety.maxUnhealthy && plan.scope) {
    const stormCooldown = safety.stormCooldown ?? DEFAULT_STORM_COOLDOWN_MS;
    const lastStorm = await db
      .selectFrom('remediations')
      .select((eb) => eb.fn.max('finished_at').as('at'))
      .where('runbook', '=', plan.runbook)
      .where('scope', '=', plan.scope)
      .where('status', '=', 'skipped')
      .where('reason', 'like', `${STORM_PREFIX}%`)
      .where('id', '<>', id)
      .executeTakeFirst();
    const stormAt = lastStorm?.at === null || lastStorm?.at === undefined ? null : Number(lastStorm.at);
    const size = scopeSize(plan.scope);
    const allowed = allowedInScope(safety.maxUnhealthy.max, size);
    const inScope = () => db.selectFrom('remediations').where('runbook', '=', plan.runbook).where('scope', '=', plan.scope).where('id', '<>', id);
    // Targets acted on in this scope lately count until the storm window is
    // over, not only while in progress: a fix that "succeeded" a moment ago
    // on a host whose alert still fires is still a failing host.
    const active = await count(
      inScope()
        .where((eb) => eb.or([eb('status', 'in', [...ACTING]), eb.and([eb('started_at', '>=', now - stormCooldown), eb('status', '<>', 'skipped')])]))
        .select((eb) => eb.fn.countAll().as('n')),
    );
    const failing = active + 1 + (await count(inScope().where('status', '=', 'pending').select((eb) => eb.fn.countAll().as('n'))));
    const scopeInfo = { name: plan.scope, active, failing, allowed: allowed ?? 0, size };
    const limitText = typeof safety.maxUnhealthy.max === 'number' ? `max ${safety.maxUnhealthy.max}` : `max ${safety.maxUnhealthy.max} of ${size ?? '?'} hosts = ${allowed ?? '?'}`;
    if (allowed === null) {
      decisions.push({ gate: 'maxUnhealthy', verdict: 'skip', reason: `maxUnhealthy is a percentage but the size of ${plan.scope} is not known; refusing to act`, scope: scopeInfo });
    } else if (active >= allowed) {
      decisions.push({ gate: 'maxUnhealthy', verdict: 'skip', reason: `${STORM_PREFIX} ${plan.scope}: ${active} acted on in the last ${minutes(stormCooldown)}, ${failing} failing, ${limitText}`, scope: scopeInfo });
    } else if (stormAt !== null && now - stormAt < stormCooldown) {
      decisions.push({ gate: 'stormCooldown', verdict: 'skip', reason: `${plan.scope} had a failure storm ${minutes(now - stormAt)} ago; no new remediation there until it has been calm for ${minutes(stormCooldown)}`, scope: scopeInfo });
    } else {
      decisions.push({ gate: 'maxUnhealthy', verdict: 'pass', reason: `${active} of ${allowed} allowed in ${plan.scope} acted on in the last ${minutes(stormCooldown)}`, scope: scopeInfo });
    }
  }

  if (safety.rateLimit) {
    const { count: limit, per } = safety.rateLimit;
    const recent = await db
      .selectFrom('remediations')
      .select(['started_at'])
      .where('runbook', '=', plan.runbook)
      .where('id', '<>', id)
      .where('started_at', '>=', now - per)
      .orderBy('started_at')
      .execute();
    decisions.push(
      recent.length >= limit
        ? { gate: 'rateLimit', verdict: 'defer', reason: `${plan.runbook} started ${recent.length} remediations in the last ${minutes(per)} (limit ${limit})`, until: Number(recent[0]!.started_at) + per }
        : { gate: 'rateLimit', verdict: 'pass', reason: `${recent.length} of ${limit} in the last ${minutes(per)}` },
    );
  }

  if (safety.maxConcurrent) {
    const n = await count(db.selectFrom('remediations').where('runbook', '=', plan.runbook).where('id', '<>', id).where('status', 'in', [...ACTING]).select((eb) => eb.fn.countAll().as('n')));
    decisions.push(
      n >= safety.maxConcurrent
        ? { gate: 'maxConcurrent', verdict: 'defer', reason: `${n} remediations of ${plan.runbook} are under way (limit ${safety.maxConcurrent})`, until: now + 5000 }
        : { gate: 'maxConcurrent', verdict: 'pass', reason: `${n} of ${safety.maxConcurrent} under way` },
    );
  }
  if (global.rateLimit) {
    const { count: limit, per } = global.rateLimit;
    const recent = await db.selectFrom('remediations').select(['started_at']).where('id', '<>', id).where('started_at', '>=', now - per).orderBy('started_at').execute();
    decisions.push(
      recent.length >= limit
        ? { gate: 'globalRateLimit', verdict: 'defer', reason: `${recent.length} remediations started in the last ${minutes(per)} across all runbooks (global limit ${limit})`, until: Number(recent[0]!.started_at) + per }
        : { gate: 'globalRateLimit', verdict: 'pass', reason: `${recent.length} of ${limit} across all runbooks in the last ${minutes(per)}` },
    );
  }
  return decisions;
}

/** `100/1m`: at most 100 remediations started per minute across all runbooks. */
export function parseGlobalRateLimit(text: string, parseDuration: (s: string) => number): { count: number; per: number } {
  const m = /^(\d+)\/(.+)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a rate limit; write COUNT/DURATION such as 100/1m`);
  return { count: Number(m[1]), per: parseDuration(m[2]!) };
}
