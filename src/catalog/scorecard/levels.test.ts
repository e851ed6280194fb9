import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../checks/checkOutcome.js';
import { levelReached, type GradedCheck } from './levels.js';
import type { Level } from './pyramid.js';

// An independent reading of OpsLevel's rule, written as a table per level
// rather than as a walk up the levels: level L is reached when no check at
// L or below holds it back; the answer is the highest such L (0 if none).
function oracle(checks: readonly GradedCheck[]): number {
  const holdsBack = (c: GradedCheck) => !c.exempt && c.status !== 'passed';
  const reachable = [1, 2, 3].filter((L) => checks.filter((c) => c.level <= L).every((c) => !holdsBack(c)));
  return reachable.length === 0 ? 0 : Math.max(...reachable);
}

/** A small seeded generator, so a failing case can be replayed from its number. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const statuses: CheckStatus[] = ['passed', 'failed', 'not_measured'];

function generatedCases(n: number): Array<{ n: number; checks: GradedCheck[] }> {
  const random = mulberry32(20261206);
  return Array.from({ length: n }, (_, i) => {
    const count = Math.floor(random() * 12);
    // skewed toward passing, so the higher levels are reached often enough to test them
    const checks = Array.from({ length: count }, () => ({
      level: (1 + Math.floor(random() * 3)) as Level,
      status: random() < 0.75 ? 'passed' : statuses[1 + Math.floor(random() * 2)]!,
      exempt: random() < 0.1,
    }));
    return { n: i, checks };
  });
}

describe('levelReached, OpsLevel semantics', () => {
  it.each([
    ['no checks at all', [], 3],
    ['every check passes', [{ level: 1, status: 'passed', exempt: false }, { level: 2, status: 'passed', exempt: false }, { level: 3, status: 'passed', exempt: false }], 3],
    ['a bronze check fails: no level, whatever passes above', [{ level: 1, status: 'failed', exempt: false }, { level: 2, status: 'passed', exempt: false }, { level: 3, status: 'passed', exempt: false }], 0],
    ['not measured holds back like failed', [{ level: 1, status: 'passed', exempt: false }, { level: 2, status: 'not_measured', exempt: false }], 1],
    ['an exempt failure holds nothing back', [{ level: 1, status: 'failed', exempt: true }, { level: 2, status: 'passed', exempt: false }], 3],
    ['a gold failure leaves silver', [{ level: 1, status: 'passed', exempt: false }, { level: 2, status: 'passed', exempt: false }, { level: 3, status: 'failed', exempt: false }], 2],
    ['no silver checks: silver comes with bronze', [{ level: 1, status: 'passed', exempt: false }, { level: 3, status: 'failed', exempt: false }], 2],
  ] as Array<[string, GradedCheck[], number]>)('%s', (_what, checks, expected) => {
    expect(levelReached(checks)).toBe(expected);
  });

  const cases = generatedCases(500);
  it('matches the independent table on 500 generated services', () => {
    const wrong = cases.filter((c) => levelReached(c.checks) !== oracle(c.checks));
    expect(wrong.map((c) => c.n)).toEqual([]);
    // the generated cases cover every answer
    expect(new Set(cases.map((c) => oracle(c.checks)))).toEqual(new Set([0, 1, 2, 3]));
  });
});
