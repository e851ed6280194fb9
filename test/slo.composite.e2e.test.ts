import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/store/clock.js';
import '../src/kinds.js';
import { formatConfigError, loadConfigDir } from '../src/config/index.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { shopTeam } from './support/shopTeam.js';

const base = `${shopTeam('checkout')}---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-availability }
spec: { service: checkout, objective: 99.9, indicator: { events: {} } }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: search-availability }
spec: { service: checkout, objective: 99, indicator: { events: {} } }
`;
const composite = `---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: checkout-journey }
spec:
  service: checkout
  objective: 99.5
  indicator:
    composite:
      - { slo: checkout-availability, weight: 3 }
      - { slo: search-availability }
`;

describeEachStore('composite SLOs: the weighted burn of other SLOs, each against its own objective', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
    server = await startTestServer(kind, { configYaml: base + composite, clock });
  });
  afterEach(async () => server.stop());

  async function minute(availability: [number, number], search: [number, number]) {
    for (const [slo, [good, bad]] of [['checkout-availability', availability], ['search-availability', search]] as const) {
      expect((await server.request('POST', `/api/v1/slis/${slo}/events`, { good, bad })).status).toBe(200);
    }
    clock.advance(60_000);
    await server.maintenance.runOnce();
  }

  it('counts a minute as the weighted mean burn, whatever the parts’ traffic, and pages when both parts are down', async () => {
    // checkout burns 2× (20 bad of 10,000 at 99.9%), search 0× (10 good of 10): (3 × 2 + 1 × 0) / 4 = 1.5×.
    await minute([9980, 20], [10, 0]);
    const first = (await server.request('GET', '/api/v1/slos/checkout-journey')).body;
    expect(first.indicator).toBe('composite');
    expect(first.events.total).toBe(100);
    expect(first.events.bad).toBeCloseTo(100 * 0.005 * 1.5, 6);
    // The same burn with a hundredth of the traffic weighs the same.
    await minute([998, 2], [1, 0]);
    const second = (await server.request('GET', '/api/v1/slos/checkout-journey')).body;
    expect(second.events.bad).toBeCloseTo(2 * 100 * 0.005 * 1.5, 6);

    for (let m = 0; m < 30; m++) await minute([1000, 0], [100, 0]);
    await minute([0, 1000], [0, 100]);
    await minute([0, 1000], [0, 100]);
    const alerts = (await server.request('GET', '/api/v2/alerts')).body as any[];
    expect(alerts.find((a) => a.labels.slo === 'checkout-journey')?.labels).toMatchObject({ alertname: 'SLOBurn', tier: expect.stringMatching(/^page-/), severity: 'page' });
  });
});

it('refuses a composite that includes itself, a composite, or an SLO that does not exist, naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-composite-'));
  writeFileSync(
    join(dir, 'slo.yaml'),
    `${base}${composite}---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: bad-composite }
spec:
  service: checkout
  objective: 99
  indicator: { composite: [{ slo: bad-composite }, { slo: checkout-journey }, { slo: checkout-availabilty }, { slo: search-availability, weight: 0 }] }
`,
  );
  const result = await loadConfigDir(dir);
  const errors = result.errors.map((e) => formatConfigError(e).slice(dir.length + 1));
  expect(errors).toEqual([expect.stringMatching(/^slo\.yaml:38:\d+: spec\.indicator\.composite\[3\]\.weight: must be above 0$/)]);
  writeFileSync(join(dir, 'slo.yaml'), (await import('node:fs')).readFileSync(join(dir, 'slo.yaml'), 'utf8').replace(', weight: 0', ''));
  const again = (await loadConfigDir(dir)).errors.map((e) => `${e.path}: ${e.message}`);
  expect(again).toEqual([
    'spec.indicator.composite[0].slo: a composite cannot include itself',
    'spec.indicator.composite[1].slo: SLO checkout-journey is a composite itself; combine its parts instead',
    'spec.indicator.composite[2].slo: SLO "checkout-availabilty" does not exist (did you mean "checkout-availability"?)',
  ]);
});
