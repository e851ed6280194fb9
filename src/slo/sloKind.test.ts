import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigDir } from '../config/index.js';
import './sloKind.js';

const base = `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop }
`;

async function load(slo: string) {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-slo-'));
  writeFileSync(join(dir, 'base.yaml'), base);
  writeFileSync(join(dir, 'slo.yaml'), slo);
  const r = await loadConfigDir(dir);
  return { r, errors: r.errors.map((e) => formatConfigError({ ...e, file: relative(dir, e.file) })) };
}

const slo = (spec: string) => `apiVersion: prodeng/v1\nkind: SLO\nmetadata: { name: checkout-availability }\nspec:\n${spec}`;

describe('the SLO kind', () => {
  it('takes a short SLO and fills in a 30-day window and the alerting defaults', async () => {
    const { r, errors } = await load(slo('  service: checkout\n  objective: 99.9\n  indicator: { events: {} }\n'));
    expect(errors).toEqual([]);
    expect(r.config.byKind('SLO').get('checkout-availability')?.spec).toMatchObject({
      objective: 99.9,
      window: 30 * 86_400_000,
      budgetingMethod: 'Occurrences',
      alerting: { minBadEvents: 10, noDataAfter: 3_600_000, page: true, ticket: true },
    });
  });

  it('takes a calendar month in a time zone', async () => {
    const { r, errors } = await load(slo('  service: checkout\n  objective: 99.5\n  window: { calendar: month, timeZone: Europe/Berlin }\n  indicator: { probe: { latencyBelow: 300ms } }\n'));
    expect(errors).toEqual([]);
    expect(r.config.byKind('SLO').get('checkout-availability')?.spec).toMatchObject({ window: { calendar: 'month', timeZone: 'Europe/Berlin' }, indicator: { probe: { latencyBelow: 300 } } });
  });

  it('names file, line and field of each mistake', async () => {
    const { errors } = await load(slo('  service: chekout\n  objective: 100\n  window: { calendar: month, timeZone: Mars/Olympus }\n  indicator: { events: {} }\n'));
    expect(errors.some((e) => /^slo\.yaml:\d+:\d+: spec\.objective: must be below 100/.test(e))).toBe(true);
    expect(errors.some((e) => /^slo\.yaml:\d+:\d+: spec\.window/.test(e))).toBe(true);
    const refs = await load(slo('  service: chekout\n  objective: 99\n  indicator: { events: {} }\n'));
    expect(refs.errors.join('\n')).toMatch(/slo\.yaml:5:\d+: spec\.service: .*chekout.*checkout/);
  });

  it('takes Timeslices with a slice length and what makes a slice good, and RatioTimeslices with a slice length', async () => {
    const ts = await load(slo('  service: checkout\n  objective: 99.5\n  budgetingMethod: Timeslices\n  timeslice: { window: 5m, objective: 95 }\n  indicator: { events: {} }\n'));
    expect(ts.errors).toEqual([]);
    expect(ts.r.config.byKind('SLO').get('checkout-availability')?.spec).toMatchObject({ budgetingMethod: 'Timeslices', timeslice: { window: 300_000, objective: 95 } });
    const ratio = await load(slo('  service: checkout\n  objective: 99\n  budgetingMethod: RatioTimeslices\n  timeslice: { window: 1h }\n  indicator: { events: {} }\n'));
    expect(ratio.errors).toEqual([]);
    expect(ratio.r.config.byKind('SLO').get('checkout-availability')?.spec).toMatchObject({ budgetingMethod: 'RatioTimeslices', timeslice: { window: 3_600_000 } });
    const full = await load(slo('  service: checkout\n  objective: 99\n  budgetingMethod: Timeslices\n  timeslice: { window: 1m, objective: 100 }\n  indicator: { events: {} }\n'));
    expect(full.errors).toEqual([]);
  });

  it('names the field when the timeslice does not fit the budgeting method', async () => {
    const cases: Array<[string, RegExp]> = [
      ['  budgetingMethod: Timeslices\n', /spec\.timeslice: is required with budgetingMethod Timeslices: .*timeslice: \{ window: 1m, objective: 95 \}/],
      ['  budgetingMethod: RatioTimeslices\n', /spec\.timeslice: is required with budgetingMethod RatioTimeslices/],
      ['  timeslice: { window: 1m }\n', /spec\.timeslice: is only for budgetingMethod Timeslices or RatioTimeslices/],
      ['  budgetingMethod: Occurrences\n  timeslice: { window: 1m, objective: 95 }\n', /spec\.timeslice: is only for budgetingMethod Timeslices or RatioTimeslices/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 1m }\n', /spec\.timeslice\.objective: is required with budgetingMethod Timeslices/],
      ['  budgetingMethod: RatioTimeslices\n  timeslice: { window: 1m, objective: 95 }\n', /spec\.timeslice\.objective: is only for budgetingMethod Timeslices/],
      ['  budgetingMethod: Timeslices\n  timeslice: { objective: 95 }\n', /spec\.timeslice\.window: is required: how long a slice is/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 90s, objective: 95 }\n', /spec\.timeslice\.window: must be whole minutes/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 30s, objective: 95 }\n', /spec\.timeslice\.window: must be at least 1m and at most 1h/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 2h, objective: 95 }\n', /spec\.timeslice\.window: must be at least 1m and at most 1h/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 1m, objective: 0 }\n', /spec\.timeslice\.objective: must be above 0/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 1m, objective: 101 }\n', /spec\.timeslice\.objective: must be at most 100/],
      ['  budgetingMethod: Timeslices\n  timeslice: { window: 1m, objective: 95, target: 1 }\n', /spec\.timeslice(\.target)?: .*target/],
      ['  budgetingMethod: Slices\n', /spec\.budgetingMethod: must be Occurrences \(every event counts\), Timeslices .* or RatioTimeslices/],
    ];
    for (const [extra, expected] of cases) {
      const { errors } = await load(slo(`  service: checkout\n  objective: 99\n${extra}  indicator: { events: {} }\n`));
      expect(errors.length, extra).toBeGreaterThan(0);
      expect(errors.join('\n'), extra).toMatch(expected);
      expect(errors.every((e) => /^slo\.yaml:\d+:\d+: spec\./.test(e)), errors.join('\n')).toBe(true);
    }
    // The old limit is gone.
    const ok = await load(slo('  service: checkout\n  objective: 99\n  budgetingMethod: Timeslices\n  timeslice: { window: 1m, objective: 95 }\n  indicator: { events: {} }\n'));
    expect(ok.errors.join('\n')).not.toMatch(/supported so far/);
  });
});

describe('error-budget policies per team (SLOPolicy)', () => {
  const policies = `apiVersion: prodeng/v1
kind: SLOPolicy
metadata: { name: shop-default }
spec: { team: shop, gate: at-risk, atRiskBelow: 40, notify: [exhausted] }
---
apiVersion: prodeng/v1
kind: SLOPolicy
metadata: { name: freeze-never }
spec: { gate: never, notify: [] }
---
`;
  const three = `${policies}${slo('  service: checkout\n  objective: 99.9\n  indicator: { events: {} }\n')}---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: named }
spec: { service: checkout, objective: 99, indicator: { events: {} }, policy: freeze-never }
---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: own }
spec: { service: checkout, objective: 99, indicator: { events: {} }, policy: { gate: exhausted } }
`;

  it('gives an SLO that sets no policy its team’s, one that names a policy that one, and keeps an SLO’s own', async () => {
    const { r, errors } = await load(three);
    expect(errors).toEqual([]);
    const policy = (name: string) => r.config.byKind<any>('SLO').get(name)!.spec.policy;
    expect(policy('checkout-availability')).toEqual({ atRiskBelow: 40, gate: 'at-risk', notify: ['exhausted'] });
    expect(policy('named')).toEqual({ atRiskBelow: 25, gate: 'never', notify: [] });
    expect(policy('own')).toEqual({ atRiskBelow: 25, gate: 'exhausted', notify: ['at-risk', 'exhausted'] });
  });

  it('names the field for an unknown policy, a second policy for one team, and an unknown team', async () => {
    const { errors } = await load(`${three.replace('policy: freeze-never', 'policy: freeze-nevr')}---
apiVersion: prodeng/v1
kind: SLOPolicy
metadata: { name: another }
spec: { team: shop }
---
apiVersion: prodeng/v1
kind: SLOPolicy
metadata: { name: lost }
spec: { team: shp }
`);
    expect(errors).toEqual([
      expect.stringMatching(/^slo\.yaml:\d+:\d+: spec\.policy: SLO policy "freeze-nevr" does not exist \(did you mean "freeze-never"\?\)$/),
      expect.stringMatching(/^slo\.yaml:\d+:\d+: spec\.team: team shop already has SLOPolicy shop-default \(.*slo\.yaml:1\); a team has one$/),
      expect.stringMatching(/^slo\.yaml:\d+:\d+: spec\.team: team "shp" does not exist \(did you mean "shop"\?\)$/),
    ]);
  });
});
