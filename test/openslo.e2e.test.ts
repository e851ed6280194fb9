import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { sloMinutes } from './support/sloMinutes.js';
import { shopTeam } from './support/shopTeam.js';

// OpenSLO v1 documents beside prodeng's own, in one config directory: an
// SLI whose metric source is prodeng's own pushed counts, an SLO with two
// objectives on it, an alert policy with its condition and target.
const prodeng = shopTeam('checkout');
const openSlo = `apiVersion: openslo/v1
kind: Service
metadata: { name: checkout, displayName: Checkout }
spec: { description: the shop's checkout }
---
- apiVersion: openslo/v1
  kind: SLI
  metadata: { name: checkout-requests }
  spec:
    ratioMetric:
      good: { metricSource: { type: prodeng, spec: { events: {} } } }
      total: { metricSource: { type: prodeng, spec: { events: {} } } }
- apiVersion: openslo/v1
  kind: SLO
  metadata: { name: checkout-availability, labels: { tier: [gold, customer] } }
  spec:
    service: checkout
    indicatorRef: checkout-requests
    budgetingMethod: Occurrences
    timeWindow:
      - duration: 1M
        isRolling: false
        calendar: { startTime: "2026-01-01 00:00:00", timeZone: Europe/Berlin }
    objectives:
      - { displayName: Internal, target: 0.999 }
      - { displayName: SLA, targetPercent: 99 }
    alertPolicies: [{ alertPolicyRef: checkout-burn }]
- apiVersion: openslo/v1
  kind: AlertPolicy
  metadata: { name: checkout-burn }
  spec:
    conditions: [{ conditionRef: fast-burn }]
    notificationTargets: [{ targetRef: shop-email }]
- apiVersion: openslo/v1
  kind: AlertCondition
  metadata: { name: fast-burn }
  spec: { severity: page, condition: { kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m } }
- apiVersion: openslo/v1
  kind: AlertNotificationTarget
  metadata: { name: shop-email }
  spec: { target: email }
`;

describeEachStore('OpenSLO v1 documents: evaluated as prodeng SLOs, one per objective, alerting through the pipeline', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: `${prodeng}---\n${openSlo}`, clock });
  });
  afterEach(async () => server.stop());

  it('lists each objective as an SLO with its target and calendar month, and pages a total outage within 2 minutes', async () => {
    const { slos } = (await server.request('GET', '/api/v1/slos')).body;
    const byName = new Map<string, any>(slos.map((s: any) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['checkout-availability.internal', 'checkout-availability.sla']);
    expect(byName.get('checkout-availability.internal')).toMatchObject({ service: 'checkout', objective: 99.9 });
    expect(byName.get('checkout-availability.sla')).toMatchObject({ objective: 99 });
    const detail = (await server.request('GET', '/api/v1/slos/checkout-availability.internal')).body;
    expect(detail.window).toBe('calendar month (Europe/Berlin)');

    const minute = sloMinutes(() => server, () => clock, 'checkout-availability.internal');
    for (let m = 0; m < 30; m++) await minute(100, 0);
    await minute(0, 100);
    await minute(0, 100);
    const alert = (await server.request('GET', '/api/v2/alerts')).body.find((a: any) => a.labels.slo === 'checkout-availability.internal');
    expect(alert?.labels).toMatchObject({ alertname: 'SLOBurn', tier: 'page-fast', severity: 'page', service: 'checkout' });
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ service: 'checkout', urgency: 'high' });
  });
});

const compositeSlo = `apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-journey }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives:
    - displayName: Pay
      target: 0.999
      compositeWeight: 3
      indicator:
        metadata: { name: pay }
        spec: { ratioMetric: { good: { metricSource: { type: prodeng, spec: { events: {} } } }, total: { metricSource: { type: prodeng, spec: { events: {} } } } } }
    - displayName: Search
      targetPercent: 99
      indicatorRef: checkout-requests
`;

describeEachStore('OpenSLO composite SLOs: each objective counted on its own, the SLO alerting on their weighted burn', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: `${prodeng}---\n${openSlo}---\n${compositeSlo}`, clock });
  });
  afterEach(async () => server.stop());

  it('evaluates the composite and its parts, and only the composite alerts', async () => {
    const { slos } = (await server.request('GET', '/api/v1/slos')).body;
    const journey = slos.filter((s: any) => s.name.startsWith('checkout-journey')).map((s: any) => `${s.name} ${s.objective} ${s.indicator}`);
    // The composite's objective is its parts' weighted mean target.
    expect(journey.sort()).toEqual(['checkout-journey 99.675 composite', 'checkout-journey.pay 99.9 events', 'checkout-journey.search 99 events']);
    const push = async (pay: [number, number], search: [number, number]) => {
      await server.request('POST', '/api/v1/slis/checkout-journey.pay/events', { good: pay[0], bad: pay[1] });
      await server.request('POST', '/api/v1/slis/checkout-journey.search/events', { good: search[0], bad: search[1] });
      clock.advance(60_000);
      await server.maintenance.runOnce();
    };
    for (let m = 0; m < 30; m++) await push([1000, 0], [100, 0]);
    await push([0, 1000], [0, 100]);
    await push([0, 1000], [0, 100]);
    const alerts = ((await server.request('GET', '/api/v2/alerts')).body as any[]).filter((a) => a.labels.alertname === 'SLOBurn');
    expect(alerts.map((a) => `${a.labels.slo} ${a.labels.severity}`)).toEqual(['checkout-journey page']);
  });
});

describe('check-config with OpenSLO documents', () => {
  const run = promisify(execFile);
  const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
  const checkConfig = async (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-openslo-cli-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, 'check-config', dir]);
      return { dir, code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { dir, code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('counts them when they are good', async () => {
    const ok = await checkConfig({ 'prodeng.yaml': prodeng, 'openslo.yaml': openSlo });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK \(.*2 SLOs, 6 OpenSLO objects/);
  });

  it('names file, line and field for what the reference validator refuses, and warns of what prodeng cannot evaluate', async () => {
    const bad = openSlo
      .replace('budgetingMethod: Occurrences', 'budgetingMethod: Ocurrences')
      .replace('{ displayName: SLA, targetPercent: 99 }', '{ displayName: SLA, targetPercent: 99, op: gt }')
      .replace('conditionRef: fast-burn', 'conditionRef: fast-brun');
    const res = await checkConfig({ 'prodeng.yaml': prodeng, 'openslo.yaml': bad, 'datadog.yaml': datadogSlo });
    expect(res.code).toBe(1);
    const file = join(res.dir, 'openslo.yaml');
    expect(res.stderr).toContain(`${file}:19:22: [1].spec.budgetingMethod: must be one of: Occurrences, Timeslices, RatioTimeslices`);
    expect(res.stderr).toContain(`warning: ${file}:32:34: [2].spec.conditions[0].conditionRef: AlertCondition "fast-brun" does not exist (did you mean "fast-burn"?)`);
    expect(res.stderr).toMatch(new RegExp(`warning: ${join(res.dir, 'datadog.yaml')}:\\d+:\\d+: spec.indicator.spec: SLO search-latency is checked but not evaluated: prodeng does not read Datadog`));
    expect(res.stderr).toContain('1 error');
  });
});

const datadogSlo = `apiVersion: openslo/v1
kind: SLO
metadata: { name: search-latency }
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    metadata: { name: search-latency }
    spec:
      ratioMetric:
        good: { metricSource: { type: Datadog, spec: { query: "sum:search.fast{*}.as_count()" } } }
        total: { metricSource: { type: Datadog, spec: { query: "sum:search.all{*}.as_count()" } } }
  objectives: [{ target: 0.99 }]
`;
