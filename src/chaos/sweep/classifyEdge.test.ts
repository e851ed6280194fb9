import { describe, expect, it } from 'vitest';
import { baselineOf, edgeDrift, edgeVerdict, faultOutcome } from './classifyEdge.js';
import type { SteadyStateSample } from './steadyStateSample.js';

const page = (bytes: number, durationMs: number, met = true, status = 200): SteadyStateSample => ({ met, probes: [{ name: 'page', met, durationMs, bytes, status }] });
const baseline = baselineOf([page(3000, 40), page(3002, 55), page(3001, 38)]);

describe('faultOutcome', () => {
  it.each([
    ['every sample failed', [page(90, 1003, false, 504), page(90, 1002, false, 504), page(90, 1001, false, 504)], 'broke'],
    ['most samples failed', [page(90, 1003, false, 502), page(3000, 40), page(90, 1001, false, 502)], 'broke'],
    ['one sample of three failed (a busy machine), the rest identical', [page(90, 1003, false, 502), page(3000, 40), page(3001, 42)], 'held'],
    ['a box is missing in every sample', [page(2700, 320), page(2700, 310), page(2701, 330)], 'degraded'],
    ['the page is 500 ms slower', [page(3000, 560), page(3001, 570), page(3000, 555)], 'degraded'],
    ['a host name one character longer, a little jitter', [page(3003, 90), page(3000, 120), page(2990, 60)], 'held'],
    ['smaller in one sample only', [page(2700, 40), page(3000, 40), page(3001, 40)], 'held'],
  ] as const)('%s: %s', (_what, samples, expected) => {
    expect(faultOutcome('blackhole', samples, baseline).outcome).toBe(expected);
  });

  it('says what it saw', () => {
    expect(faultOutcome('blackhole', [page(90, 1003, false, 504), page(90, 1002, false, 504), page(90, 1001, false, 504)], baseline).detail).toBe('3 of 3 samples missed the steady state: page answered 504 after 1003 ms');
    expect(faultOutcome('errors', [page(2700, 40), page(2700, 40), page(2700, 40)], baseline).detail).toMatch(/page answered 2700 bytes, 300 fewer/);
  });
});

describe('edgeVerdict and drift', () => {
  it('takes the worst outcome', () => {
    const o = (outcome: 'broke' | 'degraded' | 'held') => ({ fault: 'x', outcome, detail: '' });
    expect(edgeVerdict([o('held'), o('degraded'), o('broke')])).toBe('critical');
    expect(edgeVerdict([o('degraded'), o('held')])).toBe('degradable');
    expect(edgeVerdict([o('held'), o('held')])).toBe('no_effect');
  });

  it.each([
    ['critical', 'optional', true, 'declared optional, but it broke the caller'],
    ['critical', 'required', true, null],
    ['degradable', 'optional', true, null],
    ['no_effect', 'required', true, 'declared required, but breaking it changed nothing the steady state sees'],
    ['critical', null, true, 'not declared, and it broke the caller'],
    [null, null, true, 'not declared: seen in traffic only'],
    [null, 'required', false, null],
  ] as const)('%s edge declared %s (observed %s): %s', (verdict, declared, observed, drift) => {
    expect(edgeDrift(verdict, declared, observed)).toBe(drift);
  });
});
