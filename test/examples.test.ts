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
});
