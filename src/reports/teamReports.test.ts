import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { eventFromGeneric, genericEventSchema } from '../intake/genericEvents.js';
import { ingestEvents } from '../intake/ingest.js';
import { ServiceDirectory } from '../intake/serviceDirectory.js';
import type { RemediationStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { handOverToHuman } from '../incidents/handover.js';
import { acknowledgeIncident } from '../paging/incidentActions.js';
import { durationStats, percentile, servicesOf, teamNames, teamReports, type TeamOwnership } from './teamReports.js';

const T = Date.parse('2026-11-20T00:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;

const owners: TeamOwnership = { serviceOwners: new Map([['checkout', 'payments'], ['cart', 'payments'], ['frontend', 'web']]) };

describe('report arithmetic', () => {
  it('takes percentiles by nearest rank, so each is a duration that happened', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 0.5)).toBe(5);
    expect(percentile(ten, 0.9)).toBe(9);
    expect(percentile([42], 0.9)).toBe(42);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('gives mean, p50 and p90 in seconds, and nulls when nothing was measured', () => {
    expect(durationStats([120_000, 60_000, 600_000])).toEqual({ count: 3, mean: 260, p50: 120, p90: 600 });
    expect(durationStats([1500])).toEqual({ count: 1, mean: 1.5, p50: 1.5, p90: 1.5 });
    expect(durationStats([])).toEqual({ count: 0, mean: null, p50: null, p90: null });
  });

  it('reads teams and their services from the owners', () => {
    expect(teamNames(owners)).toEqual(['payments', 'web']);
    expect(servicesOf(owners, 'payments')).toEqual(['cart', 'checkout']);
    expect(servicesOf(owners, 'nobody')).toEqual([]);
  });
});

describeEachStore('team reports', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  async function send(at: number, event: Record<string, unknown>) {
    await ingestEvents(store, [eventFromGeneric(genericEventSchema.parse(event), { services: new ServiceDirectory([]) })], at);
  }

  // Remediations are written by the engine, not by a sender: rows are the practical way to set up how they ended.
  let nextAlert = 1000;
  async function remediation(service: string | null, status: RemediationStatus, finishedAt: number | null, manualMinutes = 0) {
    const alertId = nextAlert++;
    await store.db
      .insertInto('remediations')
      .values({
        runbook: 'fix', target: `t-${alertId}`, service, scope: null, status, reason: status, dry_run: 0, alert_id: alertId, alert_ids: JSON.stringify([alertId]),
        plan: '{}', rung: 0, step_index: 0, step_in_progress: 0, verify_deadline: null, approval_deadline: null, approval: null,
        manual_minutes: manualMinutes, created_at: T - DAY, updated_at: finishedAt ?? T, started_at: T - DAY, finished_at: finishedAt,
      })
      .execute();
  }

  async function incident(service: string, openedAt: number, acknowledgedAt: number | null) {
    const id = await handOverToHuman(store.db, { title: `${service} needs a human`, service, remediationId: null, alertIds: [], story: [] }, openedAt);
    if (acknowledgedAt !== null) expect(await acknowledgeIncident(store, id, 'alice', acknowledgedAt, 'test')).toEqual({ ok: true });
  }

  async function seed() {
    // MTTA is measured on incidents: checkout's opened the day before the window and acknowledged in it (86,460 s),
    // and one opened in the window acknowledged after 2m; cart's was never acknowledged
    await incident('checkout', T - DAY, T + 1 * MIN);
    await incident('checkout', T + 1 * MIN, T + 3 * MIN);
    await incident('cart', T + 60 * MIN, null);
    // checkout: fired, acknowledged after 2m (by the sender: not what MTTA measures), resolved after 10m
    await send(T, { summary: 'disk 91% on host-7', dedupKey: 'a', service: 'checkout' });
    await send(T + 2 * MIN, { dedupKey: 'a', service: 'checkout', status: 'acknowledged' });
    await send(T + 10 * MIN, { dedupKey: 'a', service: 'checkout', status: 'resolved' });
    // checkout: fired the day before the window, acknowledged and resolved in it
    await send(T - DAY, { summary: 'Queue depth over 10k', dedupKey: 'b', service: 'checkout' });
    await send(T + 1 * MIN, { dedupKey: 'b', service: 'checkout', status: 'acknowledged' });
    await send(T + 5 * MIN, { dedupKey: 'b', service: 'checkout', status: 'resolved' });
    // cart: resolved after 30m without anyone acknowledging
    await send(T + 60 * MIN, { summary: 'cart-1 fails probe shop-health', dedupKey: 'c', service: 'cart' });
    await send(T + 90 * MIN, { dedupKey: 'c', service: 'cart', status: 'resolved' });
    // no team: a service nobody owns, and no service at all
    await send(T + 5 * MIN, { summary: 'legacy batch late', dedupKey: 'd', service: 'legacy' });
    await send(T + 5 * MIN, { summary: 'something odd' });

    await remediation('checkout', 'succeeded', T + 5 * MIN, 15);
    await remediation('checkout', 'succeeded', T + 6 * MIN, 10);
    await remediation('checkout', 'failed', T + 7 * MIN, 20);
    await remediation('checkout', 'escalated', T + 8 * MIN, 20);
    await remediation('checkout', 'skipped', T + 9 * MIN, 20);
    await remediation('checkout', 'running', null, 20);
    await remediation('checkout', 'succeeded', T - 1, 99); // before the window
    await remediation('cart', 'skipped', T + 9 * MIN, 5);
    await remediation(null, 'succeeded', T + 9 * MIN, 7);
  }

  const quiet = { alerts: 0, mtta: { count: 0, mean: null, p50: null, p90: null }, mttr: { count: 0, mean: null, p50: null, p90: null }, autoRemediationRate: null, minutesSaved: 0 };
  const none = { succeeded: 0, approvedByHuman: 0, failed: 0, escalated: 0, skipped: 0 };

  it('reports alerts, MTTA, MTTR, automation and minutes saved per team and service, quiet services included', async () => {
    await seed();
    const report = await teamReports(store.db, owners, { since: T, until: T + DAY });
    expect(report).toEqual([
      {
        team: 'payments',
        services: [
          { service: 'cart', alerts: 1, mtta: quiet.mtta, mttr: { count: 1, mean: 1800, p50: 1800, p90: 1800 }, remediations: { ...none, skipped: 1 }, autoRemediationRate: null, minutesSaved: 0 },
          {
            service: 'checkout',
            alerts: 1,
            mtta: { count: 2, mean: (120 + 86_460) / 2, p50: 120, p90: 86_460 },
            mttr: { count: 2, mean: (600 + 86_700) / 2, p50: 600, p90: 86_700 },
            remediations: { ...none, succeeded: 2, failed: 1, escalated: 1, skipped: 1 },
            autoRemediationRate: 0.5,
            minutesSaved: 25,
          },
        ],
      },
      { team: 'web', services: [{ service: 'frontend', ...quiet, remediations: none }] },
      {
        team: null,
        services: [
          { service: 'legacy', ...quiet, alerts: 1, remediations: none },
          { service: null, ...quiet, alerts: 1, remediations: { ...none, succeeded: 1 }, autoRemediationRate: 1, minutesSaved: 7 },
        ],
      },
    ]);
  });

  it('keeps to one team when asked, and counts only what happened in the window', async () => {
    await seed();
    const payments = await teamReports(store.db, owners, { since: T, until: T + DAY, team: 'payments' });
    expect(payments.map((t) => [t.team, t.services.map((s) => s.service)])).toEqual([['payments', ['cart', 'checkout']]]);
    const before = await teamReports(store.db, owners, { since: T - DAY, until: T, team: 'payments' });
    const checkout = before[0]!.services.find((s) => s.service === 'checkout')!;
    expect(checkout).toMatchObject({ alerts: 1, mtta: { count: 0 }, mttr: { count: 0 }, remediations: { ...none, succeeded: 1 }, autoRemediationRate: 1, minutesSaved: 99 });
  });
});
