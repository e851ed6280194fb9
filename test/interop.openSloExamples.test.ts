import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/kinds.js';
import { formatConfigError, loadConfigDir } from '../src/config/index.js';

// Every OpenSLO v1 file in the specification's repository (test/fixtures/openslo,
// see SOURCE.md there), loaded alone as a config directory. The expected
// verdict is the reference validator's (OpenSLO/go-sdk, which `oslo validate`
// runs): `loads`, or the reason it rejects the file, which prodeng's first
// error must give too. The spec repository files many of its own examples as
// valid that the validator rejects (mostly `op` on a ratio objective, which
// the validator forbids); what the validator says is what counts here.
const FIXTURES = join(import.meta.dirname, 'fixtures', 'openslo');
const OP_FORBIDDEN = /objectives\[0\]\.op: property is forbidden/;

const verdicts: Record<string, 'loads' | RegExp> = {
  'valid/examples-budgeting-method-occurences-slo.yaml': /thresholdMetric\.metricSource\.spec: is required/,
  'valid/examples-budgeting-method-ratio-timeslices.yaml': OP_FORBIDDEN,
  'valid/examples-budgeting-method-timeslices-slo.yaml': OP_FORBIDDEN,
  'valid/examples-treat-low-traffic-as-equally-important-timeslices-slo.yaml': OP_FORBIDDEN,
  // The old, misspelled folder: the strict decoder refuses its unknown fields.
  'valid/examples-budgetting-method-occurences-slo.yaml': /unknown field "meatadata"|unknown field "objective"|spec\.indicator\.metadata: is required/,
  'valid/examples-budgetting-method-ratio-timeslices.yaml': /unknown field "serivce"|spec\.service: is required/,
  'valid/examples-budgetting-method-timeslices-slo.yaml': /good\.metricSource\.spec: is required|unknown field "objective"/,
  'valid/pkg-openslo-v1-examples-alert_conditions.yaml': 'loads',
  'valid/pkg-openslo-v1-examples-alert_notification_targets.yaml': 'loads',
  'valid/pkg-openslo-v1-examples-alert_policies.yaml': 'loads',
  'valid/pkg-openslo-v1-examples-data_sources.yaml': 'loads',
  'valid/pkg-openslo-v1-examples-services.yaml': 'loads',
  // An older version of the file holds two Services of one name. The validator checks each object alone and
  // accepts both; prodeng keys its config by name, so it refuses the second (the one divergence here).
  'valid/pkg-openslo-v1-examples-services@f3e7a9c.yaml': /OpenSLO Service "example-service" is already defined/,
  'valid/pkg-openslo-v1-examples-slis.yaml': 'loads',
  'valid/pkg-openslo-v1-examples-slis.yml': 'loads',
  'valid/pkg-openslo-v1-examples-slos.yaml': OP_FORBIDDEN,
  'valid/pkg-openslo-v1-examples-slos.yml': /indicator\.spec\.counter: unknown field "counter"/,
  'valid/pkg-openslosdk-test_data-decode-v1_slos.yaml': /budgetingMethod: is required/,
  'valid/schema-test-spec-files-v1-alert-condition-alert-condition-no-description.yaml': 'loads',
  'valid/schema-test-spec-files-v1-alert-condition-alert-condition.yaml': 'loads',
  'valid/schema-test-spec-files-v1-alert-notification-target-alert-notification-target-no-description.yaml': 'loads',
  'valid/schema-test-spec-files-v1-alert-notification-target-alert-notification-target.yaml': 'loads',
  'valid/schema-test-spec-files-v1-alert-policy-alert-policy-inline-cond.yaml': /conditions\[0\]\.spec\.condition\.op: is required/,
  'valid/schema-test-spec-files-v1-alert-policy-alert-policy-many-notificationref.yaml': /conditions\[0\]\.operator: unknown field "operator"/,
  'valid/schema-test-spec-files-v1-alert-policy-alert-policy.yaml': /conditions\[0\]\.operator: unknown field "operator"/,
  'valid/schema-test-spec-files-v1-data-source-data-source.yaml': 'loads',
  'valid/schema-test-spec-files-v1-service-service-no-displayname.yaml': 'loads',
  'valid/schema-test-spec-files-v1-service-service.yaml': 'loads',
  'valid/schema-test-spec-files-v1-slo-slo-indicatorref-calendar-alerts.yaml': /alertPolicies\[0\]: must be a mapping, not a string/,
  'valid/schema-test-spec-files-v1-slo-slo-indicatorref-calendar-no-alerts.yaml': 'loads',
  'valid/schema-test-spec-files-v1-slo-slo-indicatorref-rolling-alerts.yaml': /alertPolicies\[0\]: must be a mapping, not a string/,
  'valid/schema-test-spec-files-v1-slo-slo-indicatorref-rolling-no-alerts.yaml': 'loads',
  'valid/schema-test-spec-files-v1-slo-slo-no-indicatorref-calendar-alerts.yaml': /alertPolicies\[0\]: must be a mapping, not a string/,
  'valid/schema-test-spec-files-v1-slo-slo-no-indicatorref-calendar-no-alerts.yaml': 'loads',
  'valid/schema-test-spec-files-v1-slo-slo-no-indicatorref-rolling-alerts.yaml': /alertPolicies\[0\]: must be a mapping, not a string/,
  'valid/schema-test-spec-files-v1-slo-slo-no-indicatorref-rolling-no-alerts.yaml': 'loads',
  'invalid/schema-test-spec-files-v1-alert-condition-alert-condition-no-condition.yaml': /spec\.condition: is required/,
  'invalid/schema-test-spec-files-v1-alert-condition-alert-condition-no-sev.yaml': /spec\.severity: is required/,
  'invalid/schema-test-spec-files-v1-alert-notification-target-alert-notification-target-no-target.yaml': /spec\.target: is required/,
  'invalid/schema-test-spec-files-v1-alert-policy-alert-policy-malformed-cond.yaml': /conditions\[0\]\.foo: unknown field "foo"/,
  'invalid/schema-test-spec-files-v1-alert-policy-alert-policy-malformed-targetref.yaml': /unknown field "operator"|unknown field "foo"/,
  'invalid/schema-test-spec-files-v1-alert-policy-alert-policy-many-cond.yaml': /conditions: length must be between 1 and 1/,
  'invalid/schema-test-spec-files-v1-alert-policy-alert-policy-no-cond.yaml': /spec\.conditions: is required/,
  'invalid/schema-test-spec-files-v1-alert-policy-alert-policy-no-notification.yaml': /spec\.notificationTargets: is required/,
  'invalid/schema-test-spec-files-v1-service-service-long-description.yaml': /spec\.description: length must be less than or equal to 1050/,
  'invalid/schema-test-spec-files-v1-sli-sli-description-ratio-inline-metricsource.yaml': /total\.metricSource\.spec: is required|\[bad, good\] properties are mutually exclusive/,
  'invalid/schema-test-spec-files-v1-sli-sli-ratio-good-and-bad.yaml': /ratioMetric: \[bad, good\] properties are mutually exclusive, provide only one of them/,
};
for (const sli of ['ratio-bad', 'ratio-good', 'threshold']) {
  for (const described of ['description', 'no-description']) {
    for (const source of ['inline-metricsource', 'metricsourceref']) verdicts[`valid/schema-test-spec-files-v1-sli-sli-${described}-${sli}-${source}.yaml`] = 'loads';
  }
}

describe('OpenSLO v1: every file of the specification repository loads, or is refused for the reference validator’s reason', () => {
  const files = ['valid', 'invalid'].flatMap((dir) => readdirSync(join(FIXTURES, dir)).map((f) => `${dir}/${f}`));

  it('has a verdict for every fixture file', () => {
    expect(files.filter((f) => !(f in verdicts))).toEqual([]);
    expect(Object.keys(verdicts).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(files)('%s', async (file) => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-openslo-'));
    cpSync(join(FIXTURES, file), join(dir, file.split('/')[1]!));
    const result = await loadConfigDir(dir);
    const errors = result.errors.map((e) => formatConfigError(e).slice(dir.length + 1));
    const expected = verdicts[file]!;
    if (expected === 'loads') {
      expect(errors).toEqual([]);
      return;
    }
    expect(errors.length).toBeGreaterThan(0);
    // Each error names file:line:column and the field.
    for (const e of errors) expect(e).toMatch(/^[^:]+:\d+:\d+: /);
    expect(errors.join('\n')).toMatch(expected);
  });
});
