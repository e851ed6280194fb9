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
});
