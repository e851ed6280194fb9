import type { LoadedConfig } from '../../config/index.js';
import type { ServiceSpec, TeamSpec } from '../../config/kinds.js';
import type { ScheduleSpec } from '../../oncall/scheduleKind.js';
import type { DbOrTx } from '../../store/store.js';
import type { ServiceConfigFacts } from './builtinChecks.js';

const QUARTER_MS = 90 * 24 * 3600_000;

/** Schedules' local times read as UTC: a shadow's span is days long, the zone does not change the verdict. */
const localMs = (t: string) => Date.parse(`${t}Z`);

/** The config's side of every service's facts: its team's schedules and shadows, its escalation, its SLOs, the runbooks for its alerts. */
export async function gatherConfigFacts(db: DbOrTx, config: LoadedConfig, now: number): Promise<Map<string, ServiceConfigFacts>> {
  const schedules = [...config.byKind<ScheduleSpec>('Schedule').values()];
  const teams = config.teams as Map<string, { spec: TeamSpec }>;
  const sloDocs = [...config.byKind<{ service: string }>('SLO').values()];
  const states = new Map((await db.selectFrom('slo_state').select(['slo', 'status']).execute()).map((r) => [r.slo, r.status]));
  const runbookNames = new Set<string>();
  for (const rb of config.byKind<{ match?: Record<string, string> }>('Runbook').values()) {
    const name = rb.spec.match?.alertname;
    if (name && !/^(=~|!=|!~)/.test(name)) runbookNames.add(name.replace(/^=/, ''));
  }
  const out = new Map<string, ServiceConfigFacts>();
  for (const [name, doc] of config.services as Map<string, { spec: ServiceSpec }>) {
    const owner = doc.spec.owner;
    const mine = schedules.filter((s) => s.spec.team === owner);
    const shadow = mine.flatMap((s) => s.spec.shadows).find((sh) => localMs(sh.to) >= now - QUARTER_MS && localMs(sh.from) <= now);
    out.set(name, {
      schedules: mine.map((s) => ({ name: s.name, people: new Set(s.spec.layers.flatMap((l) => l.participants)).size })),
      escalationPolicy: doc.spec.escalationPolicy ?? teams.get(owner)?.spec.escalationPolicy ?? null,
      shadowInLastQuarter: shadow?.user ?? null,
      slos: sloDocs
        .filter((s) => s.spec.service === name)
        .map((s) => {
          const status = states.get(s.name);
          const parsed = status ? (JSON.parse(status) as { budgetRemaining?: number; exhausted?: boolean }) : null;
          return { name: s.name, budgetRemaining: parsed?.budgetRemaining ?? null, exhausted: parsed?.exhausted === true };
        }),
      runbookAlertnames: runbookNames,
    });
  }
  return out;
}
