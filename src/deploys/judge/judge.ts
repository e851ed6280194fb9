import { resolveJudgeConfig, type ConfigProblem } from './judgeConfig.js';
import { formatNumber, planErrorsTest, planLatencyTests, type PlannedTest } from './metricTests.js';
import type { JudgeConfig, JudgeInput, MetricInput, MetricResult, Outcome, SloBurnMetricInput, TestResult, Verdict } from './types.js';
import { weightedHolm, type HolmDecision } from './weightedHolm.js';

export type JudgeAnswer = { ok: true; verdict: Verdict } | { ok: false; problem: ConfigProblem };

/**
 * Judges a canary against its same-age baseline, metric by metric.
 *
 * Every error and latency test goes into one family, corrected with weighted
 * Holm at α, so a canary no worse than its baseline fails at most α of the
 * time however many metrics it has. A test fails only when it is
 * significant after the correction *and* its effect is larger than allowed.
 * A test whose data could not have reached its level says not_enough_data
 * instead of passing by default. The SLO burn is critical: above its
 * threshold it fails the verdict on its own, outside the family.
 */
export function judgeCanary(input: JudgeInput): JudgeAnswer {
  const resolved = resolveJudgeConfig(input.config);
  if (!resolved.ok) return resolved;
  const config = resolved.config;
  const problem = checkMetrics(input.metrics);
  if (problem) return { ok: false, problem };
  const mode = input.mode ?? 'canary';

  const family: Array<{ metric: number; planned: PlannedTest }> = [];
  input.metrics.forEach((m, i) => {
    if (m.kind === 'errors') family.push({ metric: i, planned: planErrorsTest(m, config) });
    else if (m.kind === 'latency') for (const planned of planLatencyTests(m, config)) family.push({ metric: i, planned });
  });
  const decisions = weightedHolm(
    family.map((f) => ({ pValue: f.planned.settled ? null : f.planned.result.pValue, weight: f.planned.weight })),
    config.alpha,
  );
  const decided = family.map((f, i) => ({ metric: f.metric, test: decide(f.planned, decisions[i]!) }));

  const metrics: MetricResult[] = input.metrics.map((m, i) => {
    if (m.kind === 'sloBurn') return judgeSloBurn(m, config);
    const tests = decided.filter((d) => d.metric === i).map((d) => d.test);
    return summarise(m, tests);
  });

  const verdict: Outcome = metrics.some((m) => m.outcome === 'fail') ? 'fail' : metrics.length === 0 || metrics.some((m) => m.outcome === 'not_enough_data') ? 'not_enough_data' : 'pass';
  const reasons =
    metrics.length === 0
      ? ['no metric to judge: send error counts, latency samples or the canary’s SLO burn']
      : verdict === 'pass'
        ? [`all ${metrics.length} metric${metrics.length === 1 ? '' : 's'} pass`]
        : metrics.filter((m) => m.outcome === verdict).map((m) => `${m.name}: ${m.reason}`);
  return {
    ok: true,
    verdict: {
      verdict,
      mode,
      alpha: config.alpha,
      correction: `weighted Holm–Bonferroni over ${family.length} test${family.length === 1 ? '' : 's'} at a family-wise α of ${config.alpha}; SLO burn is critical and outside the family`,
      reasons,
      metrics,
      ...(mode === 'aa' ? { falseFail: verdict === 'fail' } : {}),
    },
  };
}

function decide(t: PlannedTest, d: HolmDecision): TestResult {
  const level = t.settled ? null : d.level;
  const done = (outcome: Outcome, reason: string): TestResult => ({ ...t.result, level, outcome, reason });
  if (t.settled) return done(t.settled.outcome, t.settled.reason);
  const { estimate, allowed, measure } = t.result.effect;
  const p = formatNumber(t.result.pValue);
  if (d.rejected) {
    if (estimate !== null && estimate <= allowed) return done('pass', `significant (p = ${p} ≤ ${formatNumber(d.level)}), but the ${measure} of ${formatNumber(estimate)} is within the allowed ${formatNumber(allowed)}`);
    return done('fail', `the canary is worse: p = ${p} ≤ ${formatNumber(d.level)} and the ${measure} is ${formatNumber(estimate)}, above the allowed ${formatNumber(allowed)}`);
  }
  if (t.minAchievableP !== null && t.minAchievableP > d.level) {
    const unable = t.unableToTell?.(d.level) ?? {
      outcome: 'not_enough_data' as const,
      reason: `too few samples: even the most extreme data would give p = ${formatNumber(t.minAchievableP)} > ${formatNumber(d.level)}`,
    };
    return done(unable.outcome, unable.reason);
  }
  return done('pass', `no significant worsening: p = ${p} > ${formatNumber(d.level)}`);
}

function summarise(m: MetricInput, tests: TestResult[]): MetricResult {
  const failing = tests.filter((t) => t.outcome === 'fail');
  const short = tests.filter((t) => t.outcome === 'not_enough_data');
  const outcome: Outcome = failing.length ? 'fail' : short.length ? 'not_enough_data' : 'pass';
  const named = (list: TestResult[]) => list.map((t) => (tests.length > 1 ? `${t.name.slice(m.name.length + 1)}: ${t.reason}` : t.reason)).join('; ');
  const reason = outcome === 'fail' ? named(failing) : outcome === 'not_enough_data' ? named(short) : tests.length > 1 ? `all ${tests.length} tests pass` : tests[0]!.reason;
  return { name: m.name, kind: m.kind, outcome, critical: false, reason, tests };
}

function judgeSloBurn(m: SloBurnMetricInput, config: JudgeConfig): MetricResult {
  const max = config.sloBurn.maxBurnRate;
  const fails = m.canary > max;
  const reason = fails
    ? `the canary burned its error budget at ${formatNumber(m.canary)}× its pace, above the critical ${formatNumber(max)}×: this fails the canary whatever the other metrics say`
    : `the canary burned its error budget at ${formatNumber(m.canary)}× its pace, within ${formatNumber(max)}×`;
  const test: TestResult = {
    name: m.name,
    test: 'burn-rate threshold (critical)',
    sampleSizes: null,
    effect: { measure: 'canary error-budget burn rate over the interval', estimate: m.canary, ci: null, allowed: max },
    pValue: null,
    level: null,
    outcome: fails ? 'fail' : 'pass',
    reason,
    observed: { canaryBurnRate: m.canary, baselineBurnRate: m.baseline ?? null },
  };
  return { name: m.name, kind: 'sloBurn', outcome: test.outcome, critical: true, reason, tests: [test] };
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** The input as the judge needs it; the first problem names its field. */
function checkMetrics(metrics: readonly MetricInput[]): ConfigProblem | null {
  const seen = new Set<string>();
  for (const [i, m] of metrics.entries()) {
    const at = `metrics[${i}]`;
    if (!m.name) return { field: `${at}.name`, message: 'must not be empty' };
    if (seen.has(m.name)) return { field: `${at}.name`, message: `"${m.name}" is used by another metric; give each its own name` };
    seen.add(m.name);
    if (m.kind === 'errors') {
      for (const arm of ['baseline', 'canary'] as const) {
        const { requests, errors } = m[arm];
        if (!isCount(requests)) return { field: `${at}.${arm}.requests`, message: 'must be a whole number, 0 or more' };
        if (!isCount(errors)) return { field: `${at}.${arm}.errors`, message: 'must be a whole number, 0 or more' };
        if (errors > requests) return { field: `${at}.${arm}.errors`, message: `${errors} errors is more than the ${requests} requests; count errors among the requests` };
      }
    } else if (m.kind === 'latency') {
      for (const arm of ['baseline', 'canary'] as const) {
        const bad = m[arm].findIndex((v) => !Number.isFinite(v) || v < 0);
        if (bad >= 0) return { field: `${at}.${arm}[${bad}]`, message: 'a latency must be a finite number of milliseconds, 0 or more' };
      }
    } else if (!Number.isFinite(m.canary) || m.canary < 0 || (m.baseline !== undefined && (!Number.isFinite(m.baseline) || m.baseline < 0))) {
      return { field: `${at}.canary`, message: 'a burn rate must be a finite number, 0 or more' };
    }
  }
  return null;
}
