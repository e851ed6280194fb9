import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatConfigError } from '../src/config/index.js';
import { loadConfiguration } from '../src/loadConfiguration.js';

it('the shipped examples load with every kind the stages define', async () => {
  const result = await loadConfiguration(join(import.meta.dirname, '..', 'examples'));
  expect(result.errors.map(formatConfigError)).toEqual([]);
  expect(result.config.services.size).toBeGreaterThan(0);
  expect(result.config.byKind('Runbook').size).toBeGreaterThan(0);
  expect([...result.plugins.byName.keys()]).toEqual(['recycle-stuck-worker']);
  // examples/openslo.yaml: an OpenSLO SLO, evaluated as a prodeng one on the nightly backup's heartbeat.
  expect(result.config.byKind('SLO').get('backups-on-time')?.spec).toMatchObject({ objective: 99, indicator: { heartbeat: { name: 'nightly-backup' } } });
});

it('the lab config loads: the shop as host pools, a probe and a healing runbook', async () => {
  const result = await loadConfiguration(join(import.meta.dirname, '..', 'examples', 'lab'));
  expect(result.errors.map(formatConfigError)).toEqual([]);
  // nine pools in cluster lab, nine more in lab-b, which starts down (examples/lab/clusters.yaml)
  const pools = [...result.config.byKind<{ cluster?: string }>('HostPool').values()];
  expect(pools.filter((p) => p.spec.cluster === 'lab')).toHaveLength(9);
  expect(pools.filter((p) => p.spec.cluster === 'lab-b')).toHaveLength(9);
  expect(result.config.byKind('Cluster').get('lab-b')?.spec).toMatchObject({ initialState: 'down' });
  expect([...result.config.byKind('Probe').keys()]).toEqual(['shop-health']);
  expect([...result.config.byKind('Runbook').keys()]).toEqual(['replace-failed-shop-host']);
  // examples/lab/gameday.yaml: the seed's exercise as a config Experiment, run every Wednesday by a GameDay
  expect([...result.config.byKind('GameDay').keys()]).toEqual(['weekly-shop']);
  expect(result.config.byKind('GameDay').get('weekly-shop')?.spec).toMatchObject({ schedule: '0 14 * * WED', timeZone: 'Europe/London', experiments: ['ad-is-not-critical-for-the-page'] });
});
