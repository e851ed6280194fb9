import { expect, it } from 'vitest';
import { freshStorePerTest } from '../../../test/support/freshStore.js';
import { describeEachStore } from '../../../test/support/testDatabases.js';
import type { CheckOutcome } from '../checks/checkOutcome.js';
import { recordUpkeepOutcome, upkeepHistory } from './upkeepHistory.js';

const t0 = Date.parse('2026-11-01T00:00:00Z');
const day = 86_400_000;

const outcome = (status: CheckOutcome['status'], measuredAt: number, evidence?: Record<string, unknown>): CheckOutcome => ({
  status,
  fact: `${status} at ${measuredAt}`,
  source: 'git history of /srv/cart',
  measuredAt,
  ...(evidence ? { evidence } : {}),
});

describeEachStore('upkeep history', (kind) => {
  const store = freshStorePerTest(kind);

  it('keeps each outcome and gives back one service’s check since a moment, oldest first', async () => {
    const db = store().db;
    const series = { series: [{ daysBack: 0, count: 15 }, { daysBack: 30, count: 5 }], nested: { deep: [1, 'two', null] } };
    await recordUpkeepOutcome(db, 'cart', 'todo-trend', outcome('passed', t0 + 2 * day));
    await recordUpkeepOutcome(db, 'cart', 'todo-trend', outcome('failed', t0 + 3 * day, series));
    await recordUpkeepOutcome(db, 'cart', 'todo-trend', outcome('not_measured', t0 + 1 * day));
    await recordUpkeepOutcome(db, 'cart', 'todo-trend', outcome('passed', t0 - day));
    await recordUpkeepOutcome(db, 'cart', 'latency-regression', outcome('failed', t0 + day));
    await recordUpkeepOutcome(db, 'ads', 'todo-trend', outcome('failed', t0 + day));

    const history = await upkeepHistory(db, 'cart', 'todo-trend', t0);
    expect(history.map((h) => h.outcome.status)).toEqual(['not_measured', 'passed', 'failed']);
    expect(history.map((h) => h.measuredAt)).toEqual([t0 + day, t0 + 2 * day, t0 + 3 * day]);
    expect(history[2]).toMatchObject({ service: 'cart', check: 'todo-trend', outcome: outcome('failed', t0 + 3 * day, series) });
    expect(history[0]!.outcome).toEqual(outcome('not_measured', t0 + day));
    expect(history.every((h) => Number.isInteger(h.id))).toBe(true);
  });

  it('shows a stored outcome that no longer reads as one as not measured, never passed', async () => {
    const db = store().db;
    await db.insertInto('upkeep_measurements').values({ service: 'cart', check: 'todo-trend', measured_at: t0, outcome: '{"status":"passed"' }).execute();
    await db.insertInto('upkeep_measurements').values({ service: 'cart', check: 'todo-trend', measured_at: t0 + 1, outcome: '{"status":"great","fact":"","source":"","measuredAt":1}' }).execute();
    const history = await upkeepHistory(db, 'cart', 'todo-trend', 0);
    expect(history.map((h) => h.outcome.status)).toEqual(['not_measured', 'not_measured']);
    expect(history[0]!.outcome).toMatchObject({ fact: 'the stored outcome of this measurement cannot be read', measuredAt: t0 });
  });
});
