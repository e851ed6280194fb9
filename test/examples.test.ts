import { join } from 'node:path';
import { expect, it } from 'vitest';
import '../src/kinds.js';
import { formatConfigError, loadConfigDir } from '../src/config/index.js';

it('the shipped examples load with every kind the stages define', async () => {
  const result = await loadConfigDir(join(import.meta.dirname, '..', 'examples'));
  expect(result.errors.map(formatConfigError)).toEqual([]);
  expect(result.config.services.size).toBeGreaterThan(0);
  expect(result.config.byKind('Runbook').size).toBeGreaterThan(0);
});
