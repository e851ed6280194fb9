/**
 * The canary judge's vocabulary: what it is given (two arms of one metric,
 * or the canary's SLO burn), how it is configured, and the verdict it
 * returns. The judge is pure: same input, same verdict, no clock, no store.
 */

export type Outcome = 'pass' | 'fail' | 'not_enough_data';

/** `canary`: a new version against a same-age baseline. `aa`: both arms run the same version, so every fail is a false fail. */
export type JudgeMode = 'canary' | 'aa';

/** Errors out of requests on one arm over the analysis interval. */
export interface CountArm {
  requests: number;
  errors: number;
}

export interface ErrorsMetricInput {
  kind: 'errors';
  name: string;
  baseline: CountArm;
  canary: CountArm;
}

export interface LatencyMetricInput {
  kind: 'latency';
  name: string;
  /** one value per request (or per sample), in milliseconds */
  baseline: readonly number[];
  canary: readonly number[];
}

/** The canary's burn rate of its SLO's error budget over the analysis interval (1 = spending exactly the budget's pace). */
export interface SloBurnMetricInput {
  kind: 'sloBurn';
  name: string;
  canary: number;
  /** for the record only: the baseline's burn over the same interval */
  baseline?: number;
}

export type MetricInput = ErrorsMetricInput | LatencyMetricInput | SloBurnMetricInput;

export interface ErrorsConfig {
  /** a canary whose error rate is at most this much higher (relative: 0.2 = +20%) is allowed */
  allowedIncrease: number;
  /**
   * When the errors are too few for any split of them to be significant, the
   * canary still passes if its own error rate is, with the judge's
   * confidence, below this rate; otherwise the metric is not_enough_data.
   */
  negligibleRate: number;
  /** share of the family's α relative to other metrics */
  weight: number;
}

export interface TailConfig {
  /** 0.95 for p95 */
  quantile: number;
  /** allowed relative increase of the canary's quantile over the baseline's */
  allowedIncrease: number;
}

export interface LatencyConfig {
  /** allowed relative increase of typical latency (Hodges–Lehmann ratio) */
  allowedIncrease: number;
  tails: TailConfig[];
  /** of the metric's share of α, the part the tails get (split evenly between them); the rest goes to the centre test */
  tailWeight: number;
  weight: number;
}

export interface SloBurnConfig {
  /** burn rate above which the canary fails whatever the other metrics say */
  maxBurnRate: number;
}

export interface JudgeConfig {
  /** the family-wise false-fail rate: the chance that a canary no worse than the baseline fails at all */
  alpha: number;
  errors: ErrorsConfig;
  latency: LatencyConfig;
  sloBurn: SloBurnConfig;
}

/** A config where every part may be left out; the defaults fill the rest. */
export interface JudgeConfigInput {
  alpha?: number;
  errors?: Partial<ErrorsConfig>;
  latency?: Partial<Omit<LatencyConfig, 'tails'>> & { tails?: Array<Partial<TailConfig> & { quantile: number }> };
  sloBurn?: Partial<SloBurnConfig>;
}

export interface JudgeInput {
  metrics: MetricInput[];
  mode?: JudgeMode;
  config?: JudgeConfigInput;
}

/** A confidence interval; null on a side means unbounded there (JSON has no Infinity). */
export interface Interval {
  lower: number | null;
  upper: number | null;
  confidence: number;
}

export interface Effect {
  /** what the number measures, in words: "canary/baseline error-rate ratio" */
  measure: string;
  estimate: number | null;
  ci: Interval | null;
  /** the estimate above which the canary fails when the test is also significant */
  allowed: number;
}

/** One statistical test, as the verdict records it. */
export interface TestResult {
  /** e.g. "p95" or "centre"; the metric's name for single-test metrics */
  name: string;
  test: string;
  /** requests or samples per arm; null for a threshold on one figure (SLO burn) */
  sampleSizes: { baseline: number; canary: number } | null;
  effect: Effect;
  /** one-sided p-value for "the canary is worse"; null when no test ran */
  pValue: number | null;
  /** the level this p-value was held to after the family correction */
  level: number | null;
  outcome: Outcome;
  reason: string;
  /** figures a reader needs to check the result (rates, medians, counts) */
  observed: Record<string, number | null>;
}

export interface MetricResult {
  name: string;
  kind: MetricInput['kind'];
  outcome: Outcome;
  /** critical metrics fail the verdict on their own and are outside the family correction */
  critical: boolean;
  reason: string;
  tests: TestResult[];
}

export interface Verdict {
  verdict: Outcome;
  mode: JudgeMode;
  /** the family-wise α the metrics were judged at */
  alpha: number;
  correction: string;
  reasons: string[];
  metrics: MetricResult[];
  /** A/A mode only: a fail here is a false fail */
  falseFail?: boolean;
}
