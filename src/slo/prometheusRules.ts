import { stringify } from 'yaml';
import { formatDuration } from '../config/index.js';
import { scaledTierWindows } from './burnRate.js';
import { withWindow, type SloDoc } from './sloKind.js';

// rate() needs two samples in its range: with scrapes up to a minute apart, 5m is the shortest safe one.
const SHORTEST_PROMETHEUS_WINDOW = 5 * 60_000;

/** The windows of an SLO's enabled tiers, as prodeng scales them, none shorter than 5m, in Prometheus' notation. */
function tierWindows(slo: SloDoc) {
  return scaledTierWindows(slo.spec.window, SHORTEST_PROMETHEUS_WINDOW)
    .filter((t) => (t.urgency === 'page' ? slo.spec.alerting.page : slo.spec.alerting.ticket))
    .map((t) => ({ ...t, long: formatDuration(t.long), short: formatDuration(t.short) }));
}

/** The alert's summary, in the rules and in the test that expects it. */
function tierSummary(slo: SloDoc, t: { burnRate: number; long: string; short: string }): string {
  return `SLO ${slo.name} (${slo.spec.objective}% for ${slo.spec.service}) burns its error budget at ${t.burnRate}x or more over ${t.long} and ${t.short}`;
}

const recordName = (window: string) => `slo:sli_error:ratio_rate${window}`;

export interface PrometheusRuleFiles {
  /** SLOs written (those whose indicator is a Prometheus query) */
  slos: string[];
  /** SLOs left out, with why */
  skipped: Array<{ slo: string; reason: string }>;
  rules: string;
  /** a `promtool test rules` file for `rules`, named `rulesFile` */
  tests: string;
}

/**
 * The SLOs as Prometheus recording and alerting rules, for teams that want
 * Prometheus to evaluate them: one recorded error ratio per window, and one
 * alert per tier with the same burn rates and windows prodeng uses. (In
 * Prometheus each tier is its own alert; prodeng's one alert whose tier
 * moves needs prodeng.) With a `promtool test rules` file that feeds a total
 * outage and a quiet hour through the alerts.
 */
export function prometheusRules(slos: SloDoc[], rulesFile = 'slo-rules.yaml'): PrometheusRuleFiles {
  // The rules are event-weighted ratios: an SLO that budgets slices is prodeng's to evaluate.
  const written = slos.filter((s) => 'prometheus' in s.spec.indicator && s.spec.budgetingMethod === 'Occurrences');
  const skipped = slos
    .filter((s) => !written.includes(s))
    .map((s) => ({
      slo: s.name,
      reason: 'prometheus' in s.spec.indicator ? `its budgetingMethod is ${s.spec.budgetingMethod}: the rules budget events, so prodeng evaluates its slices itself` : 'its indicator is not a Prometheus query (prodeng evaluates it itself)',
    }));
  const groups = written.flatMap((slo) => {
    const q = (slo.spec.indicator as { prometheus: { errorQuery: string; totalQuery: string } }).prometheus;
    const labels = { slo: slo.name, service: slo.spec.service };
    const tiers = tierWindows(slo);
    const windows = [...new Set(tiers.flatMap((t) => [t.short, t.long]))];
    const budget = Number((1 - slo.spec.objective / 100).toPrecision(12));
    const selector = `{slo="${slo.name}"}`;
    // One group: Prometheus evaluates a group's rules in order, so each alert reads the ratios just recorded
    // (in separate groups it may read the previous evaluation's, a minute late).
    return [
      {
        name: `slo-${slo.name}`,
        rules: [
          ...windows.map((w) => ({ record: recordName(w), expr: `(${withWindow(q.errorQuery, w)})\n/\n(${withWindow(q.totalQuery, w)})`, labels })),
          ...tiers.map((t) => ({
            alert: 'SLOBurn',
            expr: `${recordName(t.long)}${selector} > (${t.burnRate} * ${budget})\nand\n${recordName(t.short)}${selector} > (${t.burnRate} * ${budget})`,
            labels: { ...labels, tier: t.name, severity: t.urgency },
            annotations: { summary: tierSummary(slo, t) },
          })),
        ],
      },
    ];
  });
  const rules = `# Written by prodeng slo rules from the SLO documents; edit those, not this.\n${stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return { slos: written.map((s) => s.name), skipped, rules, tests: ruleTests(written, rulesFile) };
}

/** A total outage (every window's error ratio 1) fires every enabled tier; a quiet hour (0) fires none. */
function ruleTests(slos: SloDoc[], rulesFile: string): string {
  const tests = slos.flatMap((slo) => {
    const labels = { slo: slo.name, service: slo.spec.service };
    const tiers = tierWindows(slo);
    const windows = [...new Set(tiers.flatMap((t) => [t.short, t.long]))];
    const series = (value: string) => windows.map((w) => ({ series: `${recordName(w)}{service="${slo.spec.service}",slo="${slo.name}"}`, values: value }));
    const expected = tiers.map((t) => ({
      exp_labels: { alertname: 'SLOBurn', ...labels, tier: t.name, severity: t.urgency },
      exp_annotations: { summary: tierSummary(slo, t) },
    }));
    return [
      { name: `${slo.name}: a total outage fires every tier`, interval: '1m', input_series: series('1x10'), alert_rule_test: [{ eval_time: '5m', alertname: 'SLOBurn', exp_alerts: expected }] },
      { name: `${slo.name}: a quiet hour fires nothing`, interval: '1m', input_series: series('0x60'), alert_rule_test: [{ eval_time: '60m', alertname: 'SLOBurn', exp_alerts: [] }] },
    ];
  });
  return `# Written by prodeng slo rules: promtool test rules ${rulesFile.replace(/\.ya?ml$/, '')}.test.yaml\n${stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
