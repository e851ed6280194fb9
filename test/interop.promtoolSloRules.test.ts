import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasBinary } from './support/peers.js';

// prodeng slo rules writes SLOs as Prometheus rules; the real promtool
// (Debian's prometheus package) checks them, runs the test file written
// beside them, and runs our own test that feeds raw request counters
// through the recording rules into the alerts.
const havePromtool = hasBinary('promtool');
if (!havePromtool) console.warn('SLO rules test skipped: install the Debian package "prometheus" (.ci/run does)');

const config = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  objective: 99.9
  indicator:
    prometheus:
      errorQuery: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))
      totalQuery: sum(rate(http_requests_total{job="checkout"}[{{ .window }}]))
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-week }
spec:
  service: checkout
  objective: 99.5
  window: 7d
  alerting: { ticket: false }
  indicator:
    prometheus:
      errorQuery: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))
      totalQuery: sum(rate(http_requests_total{job="checkout"}[{{window}}]))
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: pushed }
spec: { service: checkout, objective: 99, indicator: { events: {} } }
`;

const tiersOf = (slo: string, objective: string, tiers: string[][]) =>
  tiers.map(([tier, severity, burn, long, short]) => ({
    exp_labels: { slo, service: 'checkout', tier, severity },
    exp_annotations: { summary: `SLO ${slo} (${objective}% for checkout) burns its error budget at ${burn}x or more over ${long} and ${short}` },
  }));

const cli = (args: string[]) => spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8' });
const promtool = (args: string[], cwd: string) => spawnSync('promtool', args, { cwd, encoding: 'utf8' });

describe('prodeng slo rules, checked by the real promtool', () => {
  it.skipIf(!havePromtool)('writes rules that pass promtool check rules and their own promtool test, and page on a real counter outage within 2 minutes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-slo-rules-'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'slo.yaml'), config);
    const out = join(dir, 'rules');
    const written = cli(['slo', 'rules', '--config', join(dir, 'config'), '--out', out]);
    expect(written.status, written.stderr).toBe(0);
    expect(written.stderr).toMatch(/skipped pushed: its indicator is not a Prometheus query/);

    const check = promtool(['check', 'rules', 'slo-rules.yaml'], out);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    // 2 SLOs: 7 recorded windows and 4 tiers; the 7-day one's windows scale (1h → 14m) and it has no tickets.
    expect(check.stdout).toMatch(/SUCCESS: 17 rules found/);
    const rules = readFileSync(join(out, 'slo-rules.yaml'), 'utf8');
    expect(rules).toContain('slo:sli_error:ratio_rate14m');
    const week = (parse(rules) as { groups: Array<{ name: string; rules: Array<{ alert?: string; labels: { tier?: string } }> }> }).groups.find((g) => g.name === 'slo-checkout-week')!;
    expect(week.rules.filter((r) => r.alert).map((r) => r.labels.tier)).toEqual(['page-fast', 'page-slow']);
    const own = promtool(['test', 'rules', 'slo-rules.test.yaml'], out);
    expect(own.status, own.stdout + own.stderr).toBe(0);

    // Raw counters: 1,000 requests a minute, all good for an hour, then every one a 5xx.
    const minutes = 70;
    const ok: number[] = [];
    const errors: number[] = [];
    for (let m = 0; m <= minutes; m++) {
      ok.push(Math.min(m, 60) * 1000);
      errors.push(Math.max(0, m - 60) * 1000);
    }
    const counterTest = {
      rule_files: ['slo-rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{job="checkout",code="200"}', values: ok.join(' ') },
            { series: 'http_requests_total{job="checkout",code="500"}', values: errors.join(' ') },
          ],
          alert_rule_test: [
            { eval_time: '60m', alertname: 'SLOBurn', exp_alerts: [] },
            {
              eval_time: '62m',
              alertname: 'SLOBurn',
              // An hour of history, then two minutes of errors: every tier of both SLOs holds (the slower windows see only that hour).
              exp_alerts: [
                ...tiersOf('checkout-availability', '99.9', [['page-fast', 'page', '14.4', '1h', '5m'], ['page-slow', 'page', '6', '6h', '30m'], ['ticket-fast', 'ticket', '3', '1d', '2h'], ['ticket-slow', 'ticket', '1', '3d', '6h']]),
                ...tiersOf('checkout-week', '99.5', [['page-fast', 'page', '14.4', '14m', '5m'], ['page-slow', 'page', '6', '1h24m', '7m']]),
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(out, 'outage.test.yaml'), JSON.stringify(counterTest));
    const outage = promtool(['test', 'rules', 'outage.test.yaml'], out);
    expect(outage.status, outage.stdout + outage.stderr).toBe(0);
  });

  it.skipIf(!havePromtool)('writes OpenSLO SLOs (counters, a raw ratio, a threshold) as rules that pass promtool check rules and their own test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-openslo-rules-'));
    mkdirSync(join(dir, 'config'));
    const slo = (name: string, indicator: string, objective = 'target: 0.999') =>
      `apiVersion: openslo/v1\nkind: SLO\nmetadata: { name: ${name} }\nspec:\n  service: checkout\n  budgetingMethod: Occurrences\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  indicator:\n    metadata: { name: ${name} }\n    spec: ${indicator}\n  objectives: [{ ${objective} }]\n`;
    const source = (query: string) => `{ metricSource: { type: Prometheus, spec: { query: '${query}' } } }`;
    writeFileSync(
      join(dir, 'config', 'slo.yaml'),
      [
        config.split('---')[0],
        config.split('---')[1],
        slo('ratio', `{ ratioMetric: { counter: true, good: ${source('sum(http_requests_total{code="200"})')}, total: ${source('http_requests_total')} } }`),
        slo('raw', `{ ratioMetric: { rawType: failure, raw: ${source('sum(rate(http_requests_total{code="500"}[5m])) / sum(rate(http_requests_total[5m]))')} } }`),
        slo('latency', `{ thresholdMetric: ${source('histogram_quantile(0.99, sum by (le) (rate(http_request_seconds_bucket[5m])))')} }`, 'op: lte, value: 0.3, target: 0.99'),
      ].join('---\n'),
    );
    const out = join(dir, 'rules');
    const written = cli(['slo', 'rules', '--config', join(dir, 'config'), '--out', out]);
    expect(written.status, written.stderr).toBe(0);
    const check = promtool(['check', 'rules', 'slo-rules.yaml'], out);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 33 rules found/);
    const own = promtool(['test', 'rules', 'slo-rules.test.yaml'], out);
    expect(own.status, own.stdout + own.stderr).toBe(0);
  });
});
