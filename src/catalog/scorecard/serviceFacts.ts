import type { DbOrTx } from '../../store/store.js';
import type { CheckOutcome } from '../checks/checkOutcome.js';

const DAY = 24 * 3600_000;

/** What prodeng's records say of one service, gathered for every service at once (a scorecard of a thousand services is a few queries, not thousands). */
export interface ServiceFacts {
  service: string;
  owner: string | null;
  /** hosts of the service's pools not decommissioned, and of those: with a provider, watched by a probe */
  hosts: { pooled: number; withProvider: number; probed: number };
  /** the newest host.replace remediation of the service that succeeded */
  replaceSucceededAt: number | null;
  /** the newest experiment on the service that completed without deviating */
  experimentPassedAt: number | null;
  /** the newest drain of one of its hosts that reached out of service */
  drainCompletedAt: number | null;
  /** the newest host of it decommissioned */
  decommissionedAt: number | null;
  /** high-urgency incidents of the owning team over the last 28 days */
  teamIncidents28d: { count: number; busiestShift: number; shifts: number };
  /** alert names of the service in the last 30 days: how often each fired and how many of those automation took */
  alerts30d: Array<{ alertname: string; fired: number; remediated: number }>;
  /** the newest stored outcome of each upkeep check, by check id */
  upkeep: Map<string, CheckOutcome>;
  /** the newest sweep verdicts of the edges this service calls */
  sweptAt: number | null;
}

export interface FactsInput {
  services: ReadonlyArray<{ name: string; owner: string | null }>;
  now: number;
}

const SHIFT_MS = 12 * 3600_000;

export async function gatherServiceFacts(db: DbOrTx, input: FactsInput): Promise<Map<string, ServiceFacts>> {
  const { now } = input;
  const facts = new Map<string, ServiceFacts>();
  for (const s of input.services) {
    facts.set(s.name, {
      service: s.name,
      owner: s.owner,
      hosts: { pooled: 0, withProvider: 0, probed: 0 },
      replaceSucceededAt: null,
      experimentPassedAt: null,
      drainCompletedAt: null,
      decommissionedAt: null,
      teamIncidents28d: { count: 0, busiestShift: 0, shifts: 56 },
      alerts30d: [],
      upkeep: new Map(),
      sweptAt: null,
    });
  }
  const of = (service: string | null) => (service === null ? undefined : facts.get(service));

  const probed = new Set((await db.selectFrom('probe_targets').select('host').execute()).map((r) => r.host));
  const hosts = await db.selectFrom('hosts').select(['name', 'service', 'pool', 'provider', 'state']).where('pool', 'is not', null).where('state', '!=', 'decommissioned').execute();
  for (const h of hosts) {
    const f = of(h.service);
    if (!f) continue;
    f.hosts.pooled++;
    if (h.provider && h.provider !== 'none') f.hosts.withProvider++;
    if (probed.has(h.name)) f.hosts.probed++;
  }

  const since90 = now - 90 * DAY;
  const replaced = await db
    .selectFrom('remediations')
    .select(['service', ({ fn }) => fn.max('finished_at').as('at')])
    .where('status', '=', 'succeeded')
    .where('plan', 'like', '%host.replace%')
    .where('finished_at', '>', since90)
    .groupBy('service')
    .execute();
  for (const r of replaced) if (of(r.service) && r.at !== null) of(r.service)!.replaceSucceededAt = Number(r.at);

  const experiments = await db
    .selectFrom('chaos_runs')
    .select(['service', ({ fn }) => fn.max('ended_at').as('at')])
    .where('kind', '=', 'experiment')
    .where('status', '=', 'completed')
    .where('deviated', '=', 0)
    .where('ended_at', '>', since90)
    .groupBy('service')
    .execute();
  for (const r of experiments) if (of(r.service) && r.at !== null) of(r.service)!.experimentPassedAt = Number(r.at);

  const transitions = await db
    .selectFrom('host_transitions')
    .innerJoin('hosts', 'hosts.name', 'host_transitions.host')
    .select(['hosts.service as service', 'host_transitions.from_state as from', 'host_transitions.to_state as to', ({ fn }) => fn.max('host_transitions.at').as('at')])
    .where('host_transitions.at', '>', since90)
    .where((eb) => eb.or([eb.and([eb('host_transitions.from_state', '=', 'draining'), eb('host_transitions.to_state', '=', 'out_of_service')]), eb('host_transitions.to_state', '=', 'decommissioned')]))
    .groupBy(['hosts.service', 'host_transitions.from_state', 'host_transitions.to_state'])
    .execute();
  for (const t of transitions) {
    const f = of(t.service);
    if (!f || t.at === null) continue;
    if (t.to === 'decommissioned') f.decommissionedAt = Math.max(f.decommissionedAt ?? 0, Number(t.at));
    else f.drainCompletedAt = Math.max(f.drainCompletedAt ?? 0, Number(t.at));
  }

  // The team carries the pager, so paging load is the team's: every high-urgency incident of its services.
  const since28 = now - 28 * DAY;
  const incidents = await db.selectFrom('incidents').select(['service', 'team', 'created_at']).where('urgency', '=', 'high').where('created_at', '>', since28).execute();
  const teamOf = new Map(input.services.map((s) => [s.name, s.owner]));
  const perTeam = new Map<string, number[]>();
  for (const i of incidents) {
    const team = i.team ?? (i.service ? (teamOf.get(i.service) ?? null) : null);
    if (!team) continue;
    perTeam.set(team, [...(perTeam.get(team) ?? []), Number(i.created_at)]);
  }
  const teamLoad = new Map<string, ServiceFacts['teamIncidents28d']>();
  for (const [team, times] of perTeam) {
    const shifts = new Map<number, number>();
    for (const t of times) shifts.set(Math.floor(t / SHIFT_MS), (shifts.get(Math.floor(t / SHIFT_MS)) ?? 0) + 1);
    teamLoad.set(team, { count: times.length, busiestShift: Math.max(0, ...shifts.values()), shifts: 56 });
  }
  for (const f of facts.values()) if (f.owner && teamLoad.has(f.owner)) f.teamIncidents28d = teamLoad.get(f.owner)!;

  const since30 = now - 30 * DAY;
  const alerts = await db.selectFrom('alerts').select(['id', 'service', 'labels', 'summary']).where('service', 'is not', null).where('starts_at', '>', since30).execute();
  const remediatedAlerts = new Set(
    (await db.selectFrom('remediations').select('alert_id').where('created_at', '>', since30).execute()).map((r) => Number(r.alert_id)),
  );
  const byServiceName = new Map<string, Map<string, { fired: number; remediated: number }>>();
  for (const a of alerts) {
    if (!of(a.service)) continue;
    let name = a.summary;
    try {
      const labels = JSON.parse(a.labels) as Record<string, string>;
      name = labels.alertname ?? a.summary;
    } catch {
      // a label set that is not JSON is named by its summary
    }
    const names = byServiceName.get(a.service!) ?? new Map();
    const c = names.get(name) ?? { fired: 0, remediated: 0 };
    c.fired++;
    if (remediatedAlerts.has(Number(a.id))) c.remediated++;
    names.set(name, c);
    byServiceName.set(a.service!, names);
  }
  for (const [service, names] of byServiceName) {
    facts.get(service)!.alerts30d = [...names].map(([alertname, c]) => ({ alertname, ...c })).sort((x, y) => y.fired - x.fired || x.alertname.localeCompare(y.alertname));
  }

  // The newest outcome of each check of each service, and nothing older.
  const upkeep = await db
    .selectFrom('upkeep_measurements as u')
    .innerJoin(
      (eb) => eb.selectFrom('upkeep_measurements').select(['service', 'check', (e) => e.fn.max('measured_at').as('newest')]).groupBy(['service', 'check']).as('n'),
      (join) => join.onRef('n.service', '=', 'u.service').onRef('n.check', '=', 'u.check').onRef('n.newest', '=', 'u.measured_at'),
    )
    .select(['u.service as service', 'u.check as check', 'u.measured_at as measured_at', 'u.outcome as outcome'])
    .orderBy('u.id')
    .execute();
  for (const u of upkeep) {
    const f = of(u.service);
    if (f) f.upkeep.set(u.check, JSON.parse(u.outcome) as CheckOutcome);
  }

  const swept = await db.selectFrom('chaos_edge_verdicts').select(['caller', ({ fn }) => fn.max('measured_at').as('at')]).groupBy('caller').execute();
  for (const s of swept) if (of(s.caller) && s.at !== null) of(s.caller)!.sweptAt = Number(s.at);
  return facts;
}
