import { expect } from 'vitest';
import type { ManualClock } from '../../src/store/clock.js';
import type { TestServer } from './testServer.js';

/**
 * One minute of what an SLO's users saw, pushed through the API, then the
 * clock moved to the next minute and the leader's pass run (which evaluates
 * SLOs once a minute).
 */
export function sloMinutes(server: () => TestServer, clock: () => ManualClock, slo: string) {
  return async (good: number, bad: number): Promise<void> => {
    const res = await server().request('POST', `/api/v1/slis/${slo}/events`, { good, bad });
    expect(res.status).toBe(200);
    clock().advance(60_000);
    await server().maintenance.runOnce();
  };
}
