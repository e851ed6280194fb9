import { expect, it } from 'vitest';
import { freshStorePerTest } from '../../../test/support/freshStore.js';
import { describeEachStore } from '../../../test/support/testDatabases.js';
import { bulkInsert } from '../../store/bulkInsert.js';
import { latencyRegression, type WeekLatency } from './latencyRegression.js';

const now = Date.parse('2026-11-20T12:00:00Z');
const weekMs = 7 * 86_400_000;
const thisWeek = now - weekMs;
const lastWeek = now - 2 * weekMs;

describeEachStore('latency regression', (kind) => {
  const store = freshStorePerTest(kind);

  interface Checks {
    latencies: number[];
    service?: string | null;
    host?: string;
    ok?: boolean;
  }

  /** Probe checks spread over the week starting at weekStart, one per latency. */
  async function probeChecks(weekStart: number, { latencies, service = 'cart', host = 'cart-1', ok = true }: Checks) {
    const step = Math.floor(weekMs / latencies.length);
    const rows = latencies.map((ms, i) => ['cart-http', host, service, ok ? 1 : 0, ms, ok ? 'GET /healthz: 200' : 'GET /healthz: timeout', weekStart + i * step]);
    await bulkInsert(store().db, store().dialect, 'probe_results', ['probe', 'host', 'service', 'ok', 'latency_ms', 'detail', 'at'], rows);
  }

  async function host(name: string, service: string) {
    await store()
      .db.insertInto('hosts')
      .values({ name, pool: null, service, cluster: null, address: '127.0.0.1:1', labels: '{}', provider: 'static', provider_ref: null, state: 'in_service', state_reason: 'test', origin: 'config', replaces: null, drained_by: null, created_at: lastWeek, updated_at: lastWeek, state_changed_at: lastWeek })
      .execute();
  }

  const times = (n: number, ms: number) => Array.from({ length: n }, () => ms);
  const check = (thresholds?: Parameters<typeof latencyRegression>[0]['thresholds']) => latencyRegression({ db: store().db, service: 'cart', now, thresholds });

  it('fails when this week’s p95 is worse by more than 20% and 10 ms, with both weeks as evidence', async () => {
    await probeChecks(lastWeek, { latencies: times(100, 100) });
    // The median is unchanged; the tail is what got slower.
    await probeChecks(thisWeek, { latencies: [...times(90, 100), ...times(10, 130.1)] });
    const outcome = await check();
    expect(outcome.status).toBe('failed');
    expect(outcome.fact).toBe('p95 latency 130.1 ms this week, up 30.1 ms (30.1%) from 100 ms last week (more than the 20% and 10 ms allowed)');
    expect(outcome.source).toBe('probe results of cart');
    expect(outcome.measuredAt).toBe(now);
    const evidence = outcome.evidence as { thisWeek: WeekLatency; lastWeek: WeekLatency; riseMs: number };
    expect(evidence.thisWeek).toEqual({ since: thisWeek, until: now, samples: 100, p95Ms: 130.1 });
    expect(evidence.lastWeek).toEqual({ since: lastWeek, until: thisWeek, samples: 100, p95Ms: 100 });
    expect(evidence.riseMs).toBe(30.1);
  });

  it('passes a rise past one threshold but not the other', async () => {
    // +40% but only 8 ms.
    await probeChecks(lastWeek, { latencies: times(60, 20) });
    await probeChecks(thisWeek, { latencies: times(60, 28) });
    const fast = await check();
    expect(fast.status).toBe('passed');
    expect(fast.fact).toBe('p95 latency 28 ms this week, up 8 ms from 20 ms last week');
    // Against 50% and 5 ms: past 5 ms, within 50%.
    const slow = await check({ maxRisePercent: 50, maxRiseMs: 5 });
    expect(slow.status).toBe('passed');
  });

  it('passes when faster, and leaves failed checks (timeouts) out of the latency', async () => {
    await probeChecks(lastWeek, { latencies: times(60, 100) });
    await probeChecks(thisWeek, { latencies: times(60, 90) });
    await probeChecks(thisWeek, { latencies: times(30, 5000), ok: false });
    const outcome = await check();
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toBe('p95 latency 90 ms this week, down from 100 ms last week');
    expect((outcome.evidence as { thisWeek: WeekLatency }).thisWeek.samples).toBe(60);
  });

  it('counts the checks of the service’s hosts that carry no service, and not another service’s', async () => {
    await host('cart-2', 'cart');
    await host('ads-1', 'ads');
    await probeChecks(lastWeek, { latencies: times(60, 100) });
    await probeChecks(thisWeek, { latencies: times(60, 200), service: null, host: 'cart-2' });
    await probeChecks(thisWeek, { latencies: times(60, 900), service: 'ads', host: 'ads-1' });
    // A host that moved here from ads keeps its ads results there.
    await probeChecks(thisWeek, { latencies: times(60, 900), service: 'ads', host: 'cart-2' });
    const outcome = await check();
    expect(outcome.status).toBe('failed');
    expect(outcome.evidence).toMatchObject({ thisWeek: { samples: 60, p95Ms: 200 } });
  });

  it('is not measured when either week has too few checks, and says which', async () => {
    const none = await check();
    expect(none.status).toBe('not_measured');
    expect(none.fact).toContain('this week 0, last week 0; 50 a week needed');

    await probeChecks(lastWeek, { latencies: times(60, 100) });
    await probeChecks(thisWeek, { latencies: times(49, 500) });
    const short = await check();
    expect(short.status).toBe('not_measured');
    expect(short.fact).toContain('(this week 49; 50 a week needed)');
    expect(short.evidence).toMatchObject({ thisWeek: { samples: 49 }, lastWeek: { samples: 60 } });
    expect((await check({ minSamples: 40 })).status).toBe('failed');
  });

  it('takes the week as [now - 7 days, now): a check at now is not in it', async () => {
    await probeChecks(lastWeek, { latencies: times(60, 100) });
    await probeChecks(thisWeek, { latencies: times(60, 100) });
    await bulkInsert(store().db, store().dialect, 'probe_results', ['probe', 'host', 'service', 'ok', 'latency_ms', 'detail', 'at'], times(10, 0).map(() => ['cart-http', 'cart-1', 'cart', 1, 9000, 'late', now]));
    const outcome = await check();
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toBe('p95 latency 100 ms this week, the same as 100 ms last week');
  });
});
