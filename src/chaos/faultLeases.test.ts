import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import type { Store } from '../store/store.js';
import { FAULT_LEASE_MS, markReverted, openFaults, recordFault, renewRunLease, revertExpiredFaults } from './faultLeases.js';
import { mayRunExperiment } from './runGuard.js';
import { setAutomationPaused } from '../remediation/automationSwitch.js';
import { handOverToHuman } from '../incidents/handover.js';

describeEachStore('chaos faults: a lease the runner renews, and a dead man’s switch that reverts', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });
  const newRun = async (now: number) =>
    Number(
      (
        await store.db
          .insertInto('chaos_runs')
          .values({ title: 'blackhole ad', service: 'ad', status: 'running', deviated: 0, started_by: 'alice', owner: 'replica-1', lease_expires_at: now + FAULT_LEASE_MS, started_at: now, ended_at: null, experiment: '{}', journal: null })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );

  it('leaves a renewed fault alone, and reverts it once its runner stops renewing, ending the run as interrupted', async () => {
    const t0 = Date.parse('2026-12-04T10:00:00Z');
    const run = await newRun(t0);
    await recordFault(store.db, { runId: run, kind: 'toxic', target: { proxy: 'ad' }, spec: { type: 'timeout' } }, t0);
    const reverted: unknown[] = [];
    const reverters = { toxic: async (target: Record<string, unknown>) => void reverted.push(target) };

    // Renewed every few seconds: never reverted.
    for (let t = t0; t < t0 + 60_000; t += 5000) {
      await renewRunLease(store.db, run, t);
      expect(await revertExpiredFaults(store.db, reverters, t + 1000)).toBe(0);
    }
    expect(reverted).toEqual([]);

    // The runner dies (no more renewals): within the lease and one pass, the fault is reverted.
    const died = t0 + 55_000; // the last renewal
    expect(await revertExpiredFaults(store.db, reverters, died + FAULT_LEASE_MS - 1000)).toBe(0);
    expect(await revertExpiredFaults(store.db, reverters, died + FAULT_LEASE_MS + 1000)).toBe(1);
    expect(reverted).toEqual([{ proxy: 'ad' }]);
    expect(await openFaults(store.db)).toEqual([]);
    const row = await store.db.selectFrom('chaos_runs').selectAll().where('id', '=', run).executeTakeFirstOrThrow();
    expect(row.status).toBe('interrupted');
    const fault = await store.db.selectFrom('chaos_faults').selectAll().executeTakeFirstOrThrow();
    expect(fault.reverted_by).toBe('lease expired');
  });

  it('tries a revert that failed again on the next pass, and never reverts one already rolled back', async () => {
    const t0 = Date.parse('2026-12-04T10:00:00Z');
    const a = await recordFault(store.db, { runId: null, kind: 'lab-fault', target: { service: 'cart' }, spec: {} }, t0);
    await recordFault(store.db, { runId: null, kind: 'lab-fault', target: { service: 'ad' }, spec: {} }, t0);
    await markReverted(store.db, a, 'rollback', t0 + 1000);
    let failures = 1;
    const healed: unknown[] = [];
    const reverters = {
      'lab-fault': async (target: Record<string, unknown>) => {
        if (failures-- > 0) throw new Error('host did not answer');
        healed.push(target);
      },
    };
    const later = t0 + FAULT_LEASE_MS + 1000;
    expect(await revertExpiredFaults(store.db, reverters, later)).toBe(0);
    expect((await openFaults(store.db)).map((f) => f.target)).toEqual([{ service: 'ad' }]);
    expect(await revertExpiredFaults(store.db, reverters, later + 1000)).toBe(1);
    expect(healed).toEqual([{ service: 'ad' }]);
  });

  it('refuses a run while automation is paused, while the service has an open incident, and above the blast radius', async () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(await mayRunExperiment(store.db, { service: 'ad', blastRadius: 0.3 })).toEqual({ allow: true });
    expect(await mayRunExperiment(store.db, { service: 'ad', blastRadius: 0.8 })).toMatchObject({ allow: false, code: 'blast_radius', reason: expect.stringContaining('80% of ad, above its limit of 50%') });
    expect(await mayRunExperiment(store.db, { service: 'ad', blastRadius: 0.8, maxBlastRadius: 1 })).toEqual({ allow: true });
    await handOverToHuman(store.db, { title: 'ad answers 500', service: 'ad', remediationId: null, alertIds: [], story: [] }, now);
    expect(await mayRunExperiment(store.db, { service: 'ad' })).toMatchObject({ allow: false, code: 'incident_open', reason: expect.stringContaining('open incident') });
    expect(await mayRunExperiment(store.db, { service: 'cart' })).toEqual({ allow: true });
    await setAutomationPaused(store.db, { paused: true, by: 'bob', reason: 'deploy freeze', now });
    expect(await mayRunExperiment(store.db, { service: 'cart' })).toMatchObject({ allow: false, code: 'automation_paused', reason: expect.stringContaining('by bob: deploy freeze') });
  });
});
