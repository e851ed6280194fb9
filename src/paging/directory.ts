import { DateTime } from 'luxon';
import type { LoadedConfig } from '../config/loadedConfig.js';
import type { ServiceSpec, TeamSpec, UserSpec } from '../config/index.js';
import type { EscalationPolicySpec } from '../oncall/escalationPolicyKind.js';
import { onCallAt, shiftsBetween } from '../oncall/rotation.js';
import type { ScheduleSpec } from '../oncall/scheduleKind.js';

/** What paging reads from config: people, teams, services, schedules, policies. */
export interface PagingDirectory {
  users: Map<string, UserSpec>;
  teams: Map<string, TeamSpec>;
  services: Map<string, ServiceSpec>;
  schedules: ReadonlyMap<string, ScheduleSpec>;
  policies: Map<string, EscalationPolicySpec>;
}

const specs = <S>(config: LoadedConfig, kind: string) => new Map([...config.byKind<S>(kind).values()].map((d) => [d.name, d.spec]));

export function pagingDirectoryFrom(config: LoadedConfig): PagingDirectory {
  return {
    users: specs<UserSpec>(config, 'User'),
    teams: specs<TeamSpec>(config, 'Team'),
    services: specs<ServiceSpec>(config, 'Service'),
    schedules: specs<ScheduleSpec>(config, 'Schedule'),
    policies: specs<EscalationPolicySpec>(config, 'EscalationPolicy'),
  };
}

/** The team and escalation policy for a service's incident: the service's own policy, else its owner team's. */
export function routeFor(dir: PagingDirectory, service: string | null): { team: string | null; policy: string | null; why: string } {
  if (!service) return { team: null, policy: null, why: 'the incident has no service, so no team or escalation policy applies' };
  const s = dir.services.get(service);
  if (!s) return { team: null, policy: null, why: `service ${service} is not in the config` };
  const policy = s.escalationPolicy ?? dir.teams.get(s.owner)?.escalationPolicy ?? null;
  return { team: s.owner, policy, why: policy ? `service ${service}, team ${s.owner}, policy ${policy}` : `neither service ${service} nor team ${s.owner} names an escalationPolicy` };
}

export interface Recipients {
  /** who is paged, and why them */
  users: Array<{ user: string; via: string }>;
  shadows: Array<{ user: string; shadowing: string }>;
}

/** Who a step's targets mean at `at`: users as named, whoever a schedule has on call (or the next one), and their shadows. */
export function recipientsOf(dir: PagingDirectory, targets: EscalationPolicySpec['steps'][number]['targets'], at: DateTime): Recipients {
  const out: Recipients = { users: [], shadows: [] };
  const add = (user: string, via: string) => {
    if (!out.users.some((u) => u.user === user)) out.users.push({ user, via });
  };
  for (const t of targets) {
    if (t.user) {
      add(t.user, 'named in the policy');
      continue;
    }
    const schedule = dir.schedules.get(t.schedule!);
    if (!schedule) continue;
    if (t.next) {
      // The person on the shift after the current one. Shifts also split where
      // only the layer or an override changes, so the next is the first with other people.
      const [current, ...later] = shiftsBetween(schedule, at, at.plus({ days: 60 })).filter((s) => s.users.length > 0);
      const next = later.find((s) => s.users.join() !== current!.users.join());
      for (const u of next?.users ?? []) add(u, `next on call in ${t.schedule}`);
      continue;
    }
    const who = onCallAt(schedule, at);
    for (const u of who.users) add(u, `on call in ${t.schedule}`);
    for (const s of who.shadows) if (!out.shadows.some((x) => x.user === s.user)) out.shadows.push(s);
  }
  return out;
}
