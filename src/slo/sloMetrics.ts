import { Gauge } from 'prom-client';
import type { EngineMetrics } from '../reports/engineMetrics.js';
import type { Db } from '../store/store.js';
import type { SloDoc } from './sloKind.js';
import { lastEvaluations } from './sliStore.js';

/** Budget left and burn rates of every SLO at its last evaluation, read from the store so every replica serves the leader's figures. */
export function registerSloMetrics(metrics: EngineMetrics, db: Db, slos: SloDoc[]): void {
  if (slos.length === 0) return;
  const known = new Set(slos.map((s) => s.name));
  const load = async () => {
    const stored = await lastEvaluations(db, [...known]);
    return [...stored].flatMap(([slo, status]) => (status ? [{ slo, status }] : []));
  };
  new Gauge({
    name: 'prodeng_slo_budget_remaining_ratio',
    help: 'Share of the error budget left in the SLO window (1 untouched, 0 spent, below 0 overspent), at the last evaluation.',
    labelNames: ['slo'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const { slo, status } of await load()) this.set({ slo }, status.budgetRemaining);
    },
  });
  new Gauge({
    name: 'prodeng_slo_burn_rate',
    help: 'How fast the SLO spends its error budget (1 spends it exactly over the window) over each alerting window, at the last evaluation.',
    labelNames: ['slo', 'window'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const { slo, status } of await load()) {
        for (const b of status.burn) {
          this.set({ slo, window: `${b.longMs / 60_000}m` }, b.longBurnRate);
          this.set({ slo, window: `${b.shortMs / 60_000}m` }, b.shortBurnRate);
        }
      }
    },
  });
}
