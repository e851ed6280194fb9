import { describe, expect, it } from 'vitest';
import { compositeMinute, COMPOSITE_EVENTS_PER_MINUTE } from './compositeIndicator.js';

const availability = { slo: 'checkout-availability', objective: 99.9, weight: 1 };
const latency = { slo: 'checkout-latency', objective: 99, weight: 1 };
const burnOf = (objective: number, m: { good: number; total: number } | null) => (m ? (m.total - m.good) / m.total / (1 - objective / 100) : null);

describe('a composite SLO minute: the weighted mean of its components’ burn, each against its own objective', () => {
  it('weighs a component by its weight, not by its traffic or its target', () => {
    // availability burns 2× (0.2% bad of 10,000), latency 0× (no slow request of 10): equal weights mean 1×.
    const even = compositeMinute(99.5, [
      { component: availability, good: 9980, total: 10_000 },
      { component: latency, good: 10, total: 10 },
    ]);
    expect(burnOf(99.5, even)).toBeCloseTo(1, 9);
    expect(even!.total).toBe(COMPOSITE_EVENTS_PER_MINUTE);
    // Weight 3 on availability: (3 × 2 + 1 × 0) / 4 = 1.5×.
    const weighted = compositeMinute(99.5, [
      { component: { ...availability, weight: 3 }, good: 9980, total: 10_000 },
      { component: latency, good: 10, total: 10 },
    ]);
    expect(burnOf(99.5, weighted)).toBeCloseTo(1.5, 9);
  });

  it('weighs only the components that had events, and has no data when none had', () => {
    const one = compositeMinute(99.5, [
      { component: availability, good: 9990, total: 10_000 },
      { component: latency, good: 0, total: 0 },
    ]);
    expect(burnOf(99.5, one)).toBeCloseTo(1, 9);
    expect(compositeMinute(99.5, [{ component: latency, good: 0, total: 0 }])).toBeNull();
    expect(compositeMinute(99.5, [])).toBeNull();
  });

  it('is all bad, never worse, when every component is down', () => {
    expect(compositeMinute(99.5, [{ component: availability, good: 0, total: 50 }, { component: latency, good: 0, total: 5 }])).toEqual({ good: 0, total: COMPOSITE_EVENTS_PER_MINUTE });
  });
});
