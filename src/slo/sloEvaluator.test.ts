import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { sloSpecSchema, type SloDoc } from './sloKind.js';
import { SloEvaluator } from './sloEvaluator.js';

const doc = (spec: unknown): SloDoc => ({ kind: 'SLO', name: 'cart-probe', spec: sloSpecSchema.parse(spec), source: { file: 'slo.yaml', line: 1 } }) as unknown as SloDoc;

describeEachStore('SLOs on probe results', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  async function probeMinute(minute: number, results: Array<{ ok: boolean; latencyMs: number; service?: string }>) {
    await store.db
      .insertInto('probe_results')
      .values(results.map((r, i) => ({ probe: 'shop-health', host: `cart-${i}`, service: r.service ?? 'cart', ok: r.ok ? 1 : 0, latency_ms: r.latencyMs, detail: '', at: minute * 60_000 + i })))
      .execute();
  }

  it("counts the service's probe results once each, a failed or slow check as bad, and alerts on the burn", async () => {
    const slo = doc({ service: 'cart', objective: 99.9, window: '30d', indicator: { probe: { latencyBelow: '500ms' } }, alerting: { minBadEvents: 3 } });
    const evaluator = new SloEvaluator(store, [slo]);
    const base = 29_000_000; // minutes since the epoch, about 2025
    for (let m = 0; m < 60; m++) {
      await probeMinute(base + m, [{ ok: true, latencyMs: 20 }, { ok: true, latencyMs: 30 }, { ok: true, latencyMs: 20, service: 'other' }]);
      await evaluator.tick((base + m + 1) * 60_000);
    }
    let state = await store.db.selectFrom('slo_state').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(state.status!)).toMatchObject({ good: 120, total: 120, tier: null });
    // One host fails, the other answers but too slowly: every check is bad.
    for (let m = 60; m < 63; m++) {
      await probeMinute(base + m, [{ ok: false, latencyMs: 2000 }, { ok: true, latencyMs: 900 }]);
      await evaluator.tick((base + m + 1) * 60_000);
    }
    state = await store.db.selectFrom('slo_state').selectAll().executeTakeFirstOrThrow();
    expect(JSON.parse(state.status!)).toMatchObject({ good: 120, total: 126, tier: { name: 'page-fast', urgency: 'page' } });
    const alert = await store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ source: 'slo', status: 'firing', service: 'cart' });
    expect(JSON.parse(alert.labels)).toMatchObject({ slo: 'cart-probe', tier: 'page-fast', severity: 'page' });
    // A second pass within the same minute changes nothing.
    expect(await evaluator.tick((base + 63) * 60_000 + 30_000)).toEqual([]);
  });
});
