import type { LoadedConfig } from '../../config/index.js';
import type { ServiceSpec } from '../../config/kinds.js';
import type { DbOrTx } from '../../store/store.js';
import type { CheckOutcome } from '../checks/checkOutcome.js';
import { builtinChecks, type CheckDefinition, type ServiceConfigFacts } from './builtinChecks.js';
import { gatherConfigFacts } from './configFacts.js';
import { levelReached } from './levels.js';
import { EXPECTED_LEVEL, LEVEL_NAMES, type Layer, type Level, type Phase } from './pyramid.js';
import { exemptionEnds, type ExemptionSpec } from './scorecardKinds.js';
import { gatherServiceFacts, type ServiceFacts } from './serviceFacts.js';

export interface ScoredCheck extends CheckOutcome {
  id: string;
  layer: Layer;
  level: Level;
  title: string;
  exemption: { reason: string; expires: string } | null;
}

export interface ServiceScore {
  service: string;
  team: string | null;
  phase: Phase | null;
  /** the level it has reached (0: none), and the one its phase expects */
  level: 0 | Level;
  levelName: string;
  expected: Level | null;
  /** below what its phase expects */
  behind: boolean;
  checks: ScoredCheck[];
  counts: { passed: number; failed: number; notMeasured: number; exempt: number };
}

export interface ScorecardInputs {
  services: ReadonlyArray<{ name: string; owner: string | null; phase: Phase | null }>;
  facts: ReadonlyMap<string, ServiceFacts>;
  configFacts: ReadonlyMap<string, ServiceConfigFacts>;
  exemptions: readonly ExemptionSpec[];
  checks?: readonly CheckDefinition[];
  now: number;
}

const emptyConfigFacts: ServiceConfigFacts = { schedules: [], escalationPolicy: null, shadowInLastQuarter: null, slos: [], runbookAlertnames: new Set() };

/** Every service's checks, graded: pure, so a thousand services are a loop over facts already gathered. */
export function scoreServices(input: ScorecardInputs): ServiceScore[] {
  const checks = input.checks ?? builtinChecks;
  const exemptions = new Map<string, ExemptionSpec>();
  for (const e of input.exemptions) if (exemptionEnds(e) > input.now) exemptions.set(`${e.service}>${e.check}`, e);
  return input.services.map((s) => {
    const facts = input.facts.get(s.name);
    const scored: ScoredCheck[] = [];
    for (const c of checks) {
      const outcome: CheckOutcome = facts ? c.evaluate({ facts, config: input.configFacts.get(s.name) ?? emptyConfigFacts, now: input.now }) : { status: 'not_measured', fact: 'no facts gathered', source: '-', measuredAt: input.now };
      const e = exemptions.get(`${s.name}>${c.id}`);
      scored.push({ id: c.id, layer: c.layer, level: c.level, title: c.title, ...outcome, exemption: e ? { reason: e.reason, expires: e.expires } : null });
    }
    const level = levelReached(scored.map((c) => ({ level: c.level, status: c.status, exempt: c.exemption !== null })));
    const expected = s.phase ? EXPECTED_LEVEL[s.phase] : null;
    return {
      service: s.name,
      team: s.owner,
      phase: s.phase,
      level,
      levelName: LEVEL_NAMES[level],
      expected,
      behind: expected !== null && level < expected,
      checks: scored,
      counts: {
        passed: scored.filter((c) => !c.exemption && c.status === 'passed').length,
        failed: scored.filter((c) => !c.exemption && c.status === 'failed').length,
        notMeasured: scored.filter((c) => !c.exemption && c.status === 'not_measured').length,
        exempt: scored.filter((c) => c.exemption).length,
      },
    };
  });
}

/** The scorecard of every configured service, from the store and the config, now. */
export async function evaluateScorecard(db: DbOrTx, config: LoadedConfig, now: number, checks?: readonly CheckDefinition[], only?: { service?: string | undefined; team?: string | undefined }): Promise<ServiceScore[]> {
  // Facts are gathered for the services asked about only: one service's page need not grade the fleet.
  const services = [...(config.services as Map<string, { spec: ServiceSpec }>)]
    .filter(([name, doc]) => (!only?.service || name === only.service) && (!only?.team || doc.spec.owner === only.team))
    .map(([name, doc]) => ({ name, owner: doc.spec.owner, phase: (doc.spec as { phase?: Phase }).phase ?? null }));
  const [facts, configFacts] = await Promise.all([gatherServiceFacts(db, { services, now }), gatherConfigFacts(db, config, now)]);
  const exemptions = [...config.byKind<ExemptionSpec>('ScorecardExemption').values()].map((d) => d.spec);
  return scoreServices({ services, facts, configFacts, exemptions, now, ...(checks ? { checks } : {}) });
}
