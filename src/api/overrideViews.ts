import type { EffectiveSchedules } from '../oncall/liveSchedules.js';
import { localTime } from '../oncall/rotation.js';
import type { StoredOverride } from '../oncall/overrideStore.js';
import type { ScheduleOverride } from '../oncall/scheduleKind.js';

/** How an override reads in a shift: which one (null id: from config) and who stands in for whom. */
export interface OverrideRef {
  id: number | null;
  source: 'config' | 'api';
  /** null for a config `remove`: `replaces` is off call with nobody in their place */
  user: string | null;
  replaces: string | null;
}

/** An override as listed: absolute times, and for stored ones who added it and why. */
export interface OverrideView extends OverrideRef {
  schedule: string;
  from: string;
  to: string;
  createdBy: string | null;
  reason: string | null;
  createdAt: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function overrideRef(o: ScheduleOverride, effective: Pick<EffectiveSchedules, 'storedOf'>): OverrideRef {
  const stored = effective.storedOf(o);
  if (stored) return { id: stored.id, source: 'api', user: stored.user, replaces: stored.replaces };
  return { id: null, source: 'config', user: o.user ?? null, replaces: o.replaces ?? o.remove ?? null };
}

export function storedOverrideView(o: StoredOverride): OverrideView {
  return {
    id: o.id,
    source: 'api',
    schedule: o.schedule,
    user: o.user,
    replaces: o.replaces,
    from: iso(o.startsAt),
    to: iso(o.endsAt),
    createdBy: o.createdBy,
    reason: o.reason || null,
    createdAt: iso(o.createdAt),
    cancelledAt: o.cancelledAt === null ? null : iso(o.cancelledAt),
    cancelledBy: o.cancelledBy,
  };
}

/** A config override, its local times read in the schedule's zone. */
export function configOverrideView(schedule: string, timeZone: string, o: ScheduleOverride): OverrideView {
  return {
    id: null,
    source: 'config',
    schedule,
    user: o.user ?? null,
    replaces: o.replaces ?? o.remove ?? null,
    from: localTime(o.from, timeZone).toUTC().toISO()!,
    to: localTime(o.to, timeZone).toUTC().toISO()!,
    createdBy: null,
    reason: null,
    createdAt: null,
    cancelledAt: null,
    cancelledBy: null,
  };
}
