import { Gauge } from 'prom-client';
import type { EngineMetrics } from './engineMetrics.js';
import type { Db } from '../store/store.js';
import { acted, fixedWithoutHuman, remediationOutcomes, totalOutcomes } from './remediationOutcomes.js';

/**
 * Of the remediations that ended by acting or handing over (succeeded,
 * failed, escalated: see remediationOutcomes), the share that automation
 * fixed with no human in the loop (not those a human approved first). Read
 * from the store at scrape time, so every replica reports the same figure.
 */
export function registerFixedWithoutHumanRatio(metrics: EngineMetrics, db: Db): void {
  new Gauge({
    name: 'prodeng_remediation_fixed_without_human_ratio',
    help: 'Share of finished remediations (succeeded, failed, escalated to a human) that automation fixed without a human (no hand-over, no approval).',
    registers: [metrics.registry],
    async collect() {
      const { counts } = totalOutcomes((await remediationOutcomes(db)).values());
      const total = acted(counts);
      this.set(total === 0 ? 0 : fixedWithoutHuman(counts) / total);
    },
  });
}
