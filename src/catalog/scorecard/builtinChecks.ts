import type { CheckOutcome } from '../checks/checkOutcome.js';
import type { Layer, Level } from './pyramid.js';
import type { ServiceFacts } from './serviceFacts.js';

const DAY = 24 * 3600_000;

/** What the config says of one service, beside what the records say. */
export interface ServiceConfigFacts {
  /** the owning team's schedules and how many people are on each */
  schedules: Array<{ name: string; people: number }>;
  /** the escalation policy its incidents follow (its own, or its team's) */
  escalationPolicy: string | null;
  /** a shadow on one of the team's schedules within the last 90 days */
  shadowInLastQuarter: string | null;
  slos: Array<{ name: string; budgetRemaining: number | null; exhausted: boolean }>;
  /** runbooks whose match names one of the service's alerts (by alertname), or that match any alert of it */
  runbookAlertnames: ReadonlySet<string>;
}

export interface CheckInput {
  facts: ServiceFacts;
  config: ServiceConfigFacts;
  now: number;
}

export interface CheckDefinition {
  id: string;
  layer: Layer;
  level: Level;
  title: string;
  evaluate(input: CheckInput): CheckOutcome;
}

const passed = (fact: string, source: string, now: number, evidence?: Record<string, unknown>): CheckOutcome => ({ status: 'passed', fact, source, measuredAt: now, ...(evidence ? { evidence } : {}) });
const failed = (fact: string, source: string, now: number, evidence?: Record<string, unknown>): CheckOutcome => ({ status: 'failed', fact, source, measuredAt: now, ...(evidence ? { evidence } : {}) });
const notMeasured = (fact: string, source: string, now: number): CheckOutcome => ({ status: 'not_measured', fact, source, measuredAt: now });
const ago = (now: number, at: number) => `${Math.max(0, Math.round((now - at) / DAY))} days ago`;

/** A stored upkeep outcome (measured elsewhere, on its own schedule), or "not measured" with why. */
function storedUpkeep(check: string, what: string, needs: string): (input: CheckInput) => CheckOutcome {
  return ({ facts, now }) => facts.upkeep.get(check) ?? notMeasured(`${what}: not measured yet for ${facts.service} (${needs}; the upkeep checks run hourly, or now with POST /api/v1/scorecard/upkeep)`, `upkeep check ${check}`, now);
}

/** prodeng's own checks, from its own records: each says its fact, its source and when it was measured. */
export const builtinChecks: readonly CheckDefinition[] = [
  {
    id: 'lifecycle.pool',
    layer: 'lifecycle',
    level: 1,
    title: 'Hosts in a pool with a provider (provisioned and replaced by prodeng)',
    evaluate: ({ facts, now }) =>
      facts.hosts.pooled === 0
        ? failed('no pooled hosts: prodeng cannot provision or replace any', 'hosts', now)
        : facts.hosts.withProvider < facts.hosts.pooled
          ? failed(`${facts.hosts.pooled - facts.hosts.withProvider} of ${facts.hosts.pooled} pooled hosts have no provider`, 'hosts', now, { ...facts.hosts })
          : passed(`${facts.hosts.pooled} hosts in pools, each with a provider`, 'hosts', now, { ...facts.hosts }),
  },
  {
    id: 'lifecycle.probe',
    layer: 'lifecycle',
    level: 1,
    title: 'A probe watches every host',
    evaluate: ({ facts, now }) =>
      facts.hosts.pooled === 0
        ? notMeasured('no pooled hosts to watch', 'probe_targets', now)
        : facts.hosts.probed === facts.hosts.pooled
          ? passed(`all ${facts.hosts.pooled} hosts are probed`, 'probe_targets', now)
          : failed(`${facts.hosts.pooled - facts.hosts.probed} of ${facts.hosts.pooled} hosts have no probe`, 'probe_targets', now, { ...facts.hosts }),
  },
  {
    id: 'lifecycle.replace-proven',
    layer: 'lifecycle',
    level: 2,
    title: 'Replacing a failed host has worked within 30 days (a remediation, or an experiment that proved it)',
    evaluate: ({ facts, now }) => {
      const at = Math.max(facts.replaceSucceededAt ?? 0, facts.experimentPassedAt ?? 0);
      if (at > now - 30 * DAY) return passed(facts.replaceSucceededAt === at ? `a host.replace remediation succeeded ${ago(now, at)}` : `an experiment on it completed without deviating ${ago(now, at)}`, facts.replaceSucceededAt === at ? 'remediations' : 'chaos_runs', now, { at: new Date(at).toISOString() });
      return failed(at ? `last proven ${ago(now, at)}, more than 30 days` : 'no host.replace remediation has succeeded and no experiment proved it', 'remediations, chaos_runs', now);
    },
  },
  {
    id: 'lifecycle.drain',
    layer: 'lifecycle',
    level: 2,
    title: 'A maintenance drain has completed within 90 days',
    evaluate: ({ facts, now }) => (facts.drainCompletedAt ? passed(`a host drained to out of service ${ago(now, facts.drainCompletedAt)}`, 'host_transitions', now) : failed('no host of it has been drained in 90 days', 'host_transitions', now)),
  },
  {
    id: 'lifecycle.decommission',
    layer: 'lifecycle',
    level: 3,
    title: 'The decommission path has been used within 90 days',
    evaluate: ({ facts, now }) => (facts.decommissionedAt ? passed(`a host was decommissioned ${ago(now, facts.decommissionedAt)}`, 'host_transitions', now) : failed('no host of it decommissioned in 90 days: the path is untested', 'host_transitions', now)),
  },
  {
    id: 'oncall.schedule',
    layer: 'oncall',
    level: 1,
    title: 'An on-call schedule with at least two people',
    evaluate: ({ facts, config, now }) => {
      const best = [...config.schedules].sort((a, b) => b.people - a.people)[0];
      if (!best) return failed(`team ${facts.owner ?? '(none)'} has no schedule`, 'config Schedule', now);
      return best.people >= 2 ? passed(`schedule ${best.name} has ${best.people} people`, 'config Schedule', now) : failed(`schedule ${best.name} has ${best.people} person: one person cannot carry a pager alone`, 'config Schedule', now);
    },
  },
  {
    id: 'oncall.escalation',
    layer: 'oncall',
    level: 1,
    title: 'An escalation policy',
    evaluate: ({ config, now }) => (config.escalationPolicy ? passed(`incidents escalate by ${config.escalationPolicy}`, 'config EscalationPolicy', now) : failed('no escalation policy: an unacknowledged page goes nowhere', 'config Service, Team', now)),
  },
  {
    id: 'oncall.shadow',
    layer: 'oncall',
    level: 2,
    title: 'A shadow or apprentice on the rotation within the last quarter',
    evaluate: ({ config, now }) => (config.shadowInLastQuarter ? passed(`${config.shadowInLastQuarter} shadowed within 90 days`, 'config Schedule shadows', now) : failed('nobody has shadowed the rotation in 90 days: nobody is learning it', 'config Schedule shadows', now)),
  },
  {
    id: 'oncall.load',
    layer: 'oncall',
    level: 2,
    title: 'Paging load below two incidents per 12-hour shift',
    evaluate: ({ facts, now }) => {
      const load = facts.teamIncidents28d;
      const perShift = load.count / load.shifts;
      const fact = `${load.count} high-urgency incidents for team ${facts.owner ?? '(none)'} in 28 days: ${perShift.toFixed(2)} per 12-hour shift, ${load.busiestShift} in the busiest`;
      return perShift < 2 && load.busiestShift < 2 * 2 ? passed(fact, 'incidents', now, { ...load }) : failed(fact, 'incidents', now, { ...load });
    },
  },
  {
    id: 'monitoring.alerts-automated',
    layer: 'monitoring',
    level: 1,
    title: 'Alerts that fire often are handled by a runbook, not always by a human',
    evaluate: ({ facts, config, now }) => {
      const frequent = facts.alerts30d.filter((a) => a.fired >= 3);
      // Zero alerts is a measurement, not a lack of one: nothing fired that a human had to take.
      if (facts.alerts30d.length === 0) return passed('no alerts in 30 days', 'alerts', now);
      const manual = frequent.filter((a) => a.remediated === 0 && !config.runbookAlertnames.has(a.alertname));
      return manual.length === 0
        ? passed(`${frequent.length} alert name(s) fired 3 times or more in 30 days; each has a runbook or was remediated`, 'alerts, remediations, config Runbook', now)
        : failed(`always a human: ${manual.map((a) => `${a.alertname} (${a.fired}×)`).join(', ')}`, 'alerts, remediations, config Runbook', now, { manual });
    },
  },
  {
    id: 'monitoring.noise',
    layer: 'monitoring',
    level: 2,
    title: 'No single alert is most of the noise',
    evaluate: ({ facts, now }) => {
      const total = facts.alerts30d.reduce((n, a) => n + a.fired, 0);
      if (total < 10) return passed(`${total} alerts in 30 days: quiet, too few to call any of them noise`, 'alerts (Pareto)', now);
      const top = facts.alerts30d.slice(0, 3);
      const share = top[0]!.fired / total;
      const fact = `noisiest: ${top.map((a) => `${a.alertname} ${Math.round((100 * a.fired) / total)}%`).join(', ')} of ${total}`;
      return share > 0.5 ? failed(fact, 'alerts (Pareto)', now, { top }) : passed(fact, 'alerts (Pareto)', now, { top });
    },
  },
  {
    id: 'reliability.slo',
    layer: 'reliability',
    level: 2,
    title: 'An SLO with error budget left',
    evaluate: ({ config, now }) => {
      if (config.slos.length === 0) return failed('no SLO: nobody has said what good enough is', 'config SLO', now);
      const unmeasured = config.slos.filter((s) => s.budgetRemaining === null);
      if (unmeasured.length === config.slos.length) return notMeasured(`SLO ${config.slos.map((s) => s.name).join(', ')} not evaluated yet`, 'slo_state', now);
      const out = config.slos.filter((s) => s.exhausted);
      return out.length ? failed(`error budget exhausted: ${out.map((s) => s.name).join(', ')}`, 'slo_state', now) : passed(`${config.slos.length} SLO(s), budget left in each`, 'slo_state', now, { slos: config.slos });
    },
  },
  {
    id: 'reliability.experiment',
    layer: 'reliability',
    level: 3,
    title: 'A chaos experiment on it has passed within 90 days',
    evaluate: ({ facts, now }) => (facts.experimentPassedAt ? passed(`an experiment completed without deviating ${ago(now, facts.experimentPassedAt)}`, 'chaos_runs', now) : failed('no experiment on it has passed in 90 days', 'chaos_runs', now)),
  },
  {
    id: 'reliability.critical-path',
    layer: 'reliability',
    level: 3,
    title: 'Its dependencies have been swept for the critical path',
    evaluate: ({ facts, now }) => (facts.sweptAt ? passed(`its edges were swept ${ago(now, facts.sweptAt)}`, 'chaos_edge_verdicts', now) : notMeasured('its dependency edges have never been swept (prodeng chaos sweep)', 'chaos_edge_verdicts', now)),
  },
  {
    id: 'reliability.canary',
    layer: 'reliability',
    level: 3,
    title: 'Deployments go through a canary',
    evaluate: ({ now }) => notMeasured('deployments are not on prodeng\'s record yet', 'deployments', now),
  },
  { id: 'performance.latency-regression', layer: 'performance', level: 3, title: 'p95 latency this week no worse than last week', evaluate: storedUpkeep('performance.latency-regression', 'latency regression', 'it reads the probe results of its hosts') },
  { id: 'upkeep.todo-trend', layer: 'upkeep', level: 2, title: 'TODO/FIXME count not growing', evaluate: storedUpkeep('upkeep.todo-trend', 'TODO/FIXME trend', 'it needs spec.repository') },
  { id: 'upkeep.major-versions', layer: 'upkeep', level: 2, title: 'No dependency a major version behind', evaluate: storedUpkeep('upkeep.major-versions', 'dependencies behind', 'it needs spec.repository with a package-lock.json') },
  { id: 'upkeep.tls', layer: 'upkeep', level: 2, title: 'HTTPS endpoints offer only strong TLS, with a certificate far from expiry', evaluate: storedUpkeep('upkeep.tls', 'TLS', 'it needs spec.httpsEndpoints') },
  { id: 'upkeep.ci-duration', layer: 'upkeep', level: 3, title: 'CI is not getting slower', evaluate: storedUpkeep('upkeep.ci-duration', 'CI duration trend', 'it reads the JUnit reports CI posts to /api/v1/ci/reports') },
  { id: 'upkeep.flaky-tests', layer: 'upkeep', level: 3, title: 'No flaky tests', evaluate: storedUpkeep('upkeep.flaky-tests', 'flaky tests', 'it reads the JUnit reports CI posts to /api/v1/ci/reports') },
];
