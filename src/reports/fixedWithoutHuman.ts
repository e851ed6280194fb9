import { Gauge } from 'prom-client';
import type { EngineMetrics } from './engineMetrics.js';
import type { Db } from '../store/store.js';

/**
 * Of the remediations that ended by acting or handing over (succeeded,
 * failed, escalated), the share that automation fixed. Read from the store
 * at scrape time, so every replica reports the same figure.
 */
export function registerFixedWithoutHumanRatio(metrics: EngineMetrics, db: Db): void {
  new Gauge({
    name: 'prodeng_remediation_fixed_without_human_ratio',
    help: 'Share of finished remediations (succeeded, failed, escalated) that automation fixed without a human.',
    registers: [metrics.registry],
    async collect() {
      const rows = await db
        .selectFrom('remediations')
        .select(['status', db.fn.countAll<number>().as('n')])
        .where('status', 'in', ['succeeded', 'failed', 'escalated'])
        .groupBy('status')
        .execute();
      const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
      const fixed = Number(rows.find((r) => r.status === 'succeeded')?.n ?? 0);
      this.set(total === 0 ? 0 : fixed / total);
    },
  });
}
