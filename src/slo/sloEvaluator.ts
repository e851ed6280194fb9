import type { Store } from '../store/store.js';
import type { AlertEvent } from '../intake/alertEvent.js';
import { labelSetFingerprint } from '../intake/fingerprint.js';
import { firingAlertFromRow, ingestEvents, type FiringHook } from '../intake/ingest.js';
import { openAlertFingerprints } from '../intake/alertQueries.js';
import { evaluateSlo, type SloStatus } from './burnRate.js';
import type { SloDoc } from './sloKind.js';
import { budgetSeriesKey, countProbeResults, storedSeries } from './sliStore.js';
import { deriveSlices } from './timeslices.js';
import { deriveCompositeMinutes, type CompositeComponent } from './compositeIndicator.js';
import { evaluationEnd, MINUTE } from './sloWindow.js';
import { pullPrometheusMinutes, type PrometheusIndicator } from './prometheusIndicator.js';
import { countHeartbeatMinute } from './heartbeatIndicator.js';
import type { Logger } from 'pino';
import { budgetState, type BudgetState } from './sloGate.js';
import { budgetNoticeDue, noticeBudgetChange } from './sloNotice.js';

const tierText: Record<string, string> = {
  'page-fast': 'is burning its error budget fast',
  'page-slow': 'is burning its error budget',
  'ticket-fast': 'is using its error budget faster than it lasts',
  'ticket-slow': 'is slowly using more than its error budget',
  exhausted: 'has used its whole error budget',
  'no-data': 'has had no events',
};

/** The identity of an SLO's one alert: its tier is a label that moves, not part of who it is. */
export function sloAlertIdentity(slo: string): Record<string, string> {
  return { alertname: 'SLOBurn', slo };
}

function sloAlertEvent(slo: SloDoc, status: SloStatus, action: 'firing' | 'resolved'): AlertEvent {
  const identity = sloAlertIdentity(slo.name);
  const tier = status.tier;
  const labels: Record<string, string> = { ...identity, service: slo.spec.service, ...(tier ? { tier: tier.name, severity: tier.urgency } : {}) };
  const fastest = status.burn.find((b) => b.firing) ?? status.burn[0]!;
  const summary = tier
    ? `SLO ${slo.name} (${slo.spec.objective}% for ${slo.spec.service}) ${tierText[tier.name]}: burn ${fastest.longBurnRate.toFixed(1)}× over ${fastest.longMs / 3_600_000}h, ${(status.budgetRemaining * 100).toFixed(1)}% of the budget left`
    : `SLO ${slo.name} is within its budget again: ${(status.budgetRemaining * 100).toFixed(1)}% left`;
  return {
    source: 'slo',
    action,
    fingerprint: labelSetFingerprint(identity),
    labels,
    annotations: { summary, ...(slo.spec.description ? { description: slo.spec.description } : {}) },
    summary,
    severity: tier?.urgency === 'page' ? 'critical' : 'warning',
    service: slo.spec.service,
    host: null,
    dedupKey: null,
    generatorUrl: null,
    startsAt: null,
    endsAt: null,
    endsAtFromTimeout: false,
    payload: { slo: slo.name, tier: tier?.name ?? null, budgetRemaining: status.budgetRemaining, burn: status.burn.map((b) => ({ tier: b.tier, long: b.longBurnRate, short: b.shortBurnRate })) },
  };
}

/**
 * Evaluates every SLO once a minute (the leader does it) and keeps each
 * SLO's one alert in step with its most urgent condition: raised into
 * intake when a tier fires, its tier label moved as the burn changes,
 * resolved when none holds. Silences, runbooks, incidents and paging
 * then treat it like any other alert.
 */
export class SloEvaluator {
  private lastMinute = -1;

  private slos: SloDoc[];

  constructor(
    private store: Store,
    slos: SloDoc[],
    private onFiring?: FiringHook,
    private logger?: Pick<Logger, 'warn'>,
  ) {
    // A composite reads its parts' minutes of the same pass, so it comes after them.
    this.slos = [...slos.filter((s) => !('composite' in s.spec.indicator)), ...slos.filter((s) => 'composite' in s.spec.indicator)];
  }

  /** Runs at most once per whole minute; returns the SLOs evaluated. */
  async tick(now: number): Promise<SloStatus[]> {
    const minute = Math.floor(now / MINUTE);
    if (minute === this.lastMinute || this.slos.length === 0) return [];
    this.lastMinute = minute;
    const out: SloStatus[] = [];
    for (const slo of this.slos) out.push(await this.evaluateOne(slo, now));
    return out;
  }

  /** A composite's parts with their objectives (the config checked that each is an SLO). */
  private componentsOf(slo: SloDoc): CompositeComponent[] {
    if (!('composite' in slo.spec.indicator)) return [];
    return slo.spec.indicator.composite.flatMap(({ slo: name, weight }) => {
      const part = this.slos.find((s) => s.name === name);
      return part ? [{ slo: name, objective: part.spec.objective, weight }] : [];
    });
  }

  /** A Prometheus that does not answer is no data, said in the log, not a stopped evaluator. */
  private async pull(slo: SloDoc, q: PrometheusIndicator, since: number, now: number): Promise<void> {
    const end = evaluationEnd(now);
    try {
      const until = await pullPrometheusMinutes(this.store.db, slo.name, q, Math.floor(since / MINUTE) * MINUTE, end);
      await this.store.db.updateTable('slo_state').set({ pulled_until: until }).where('slo', '=', slo.name).execute();
    } catch (err) {
      this.logger?.warn({ slo: slo.name, err: (err as Error).message }, 'counting an SLO from Prometheus failed');
    }
  }

  private async evaluateOne(slo: SloDoc, now: number): Promise<SloStatus> {
    const db = this.store.db;
    await db.insertInto('slo_state').values({ slo: slo.name, known_since: now, tier: null, status: null, evaluated_at: null }).onConflict((oc) => oc.column('slo').doNothing()).execute();
    const state = await db.selectFrom('slo_state').selectAll().where('slo', '=', slo.name).executeTakeFirstOrThrow();
    await countProbeResults(db, slo, Number(state.probe_results_counted));
    if ('prometheus' in slo.spec.indicator) await this.pull(slo, slo.spec.indicator.prometheus, state.pulled_until ?? Number(state.known_since), now);
    if ('heartbeat' in slo.spec.indicator) await countHeartbeatMinute(db, slo.name, slo.spec.indicator.heartbeat.name, state.pulled_until, now);
    if ('composite' in slo.spec.indicator) await deriveCompositeMinutes(db, slo.name, slo.spec.objective, this.componentsOf(slo), state.pulled_until, now);
    // Timeslices and RatioTimeslices: the slices ended since the last pass, from the raw counts just counted (Occurrences reads the raw counts).
    if (slo.spec.budgetingMethod !== 'Occurrences') await deriveSlices(db, slo.name, slo.spec, now);
    const status = await evaluateSlo(slo.spec, storedSeries(db, budgetSeriesKey(slo), now), now, { knownSince: Number(state.known_since) });
    const before = state.tier;
    const after = status.tier?.name ?? null;
    // Still firing, but its alert was resolved by hand: it fires again, as a still-firing Prometheus alert would.
    const reopen = after !== null && after === before && !(await openAlertFingerprints(db, [labelSetFingerprint(sloAlertIdentity(slo.name))])).size;
    if (after !== before || reopen) {
      const [result] = await ingestEvents(this.store, [sloAlertEvent(slo, status, after ? 'firing' : 'resolved')], now, this.onFiring);
      // A ticket that becomes a page is the same alert, so intake does not see it fire anew; the next stages must.
      const wasPage = before === 'page-fast' || before === 'page-slow';
      if (status.tier?.urgency === 'page' && !wasPage && result?.outcome === 'updated' && result.alertId && this.onFiring) {
        const row = await db.selectFrom('alerts').selectAll().where('id', '=', result.alertId).executeTakeFirstOrThrow();
        if (row.silenced_by === null) await db.transaction().execute((tx) => this.onFiring!(tx, [firingAlertFromRow(row.id, row)], now));
      }
    }
    const budget = budgetState(slo, status);
    const record = (tx: typeof db) => tx.updateTable('slo_state').set({ tier: after, status: JSON.stringify(status), evaluated_at: now, budget_state: budget }).where('slo', '=', slo.name).execute();
    // A notice is queued with the state that says it was sent; most minutes there is none, and one statement does.
    if (budgetNoticeDue(slo, state.budget_state as BudgetState | null, budget)) {
      await db.transaction().execute(async (tx) => {
        await noticeBudgetChange(tx, slo, state.budget_state as BudgetState | null, budget, status, now);
        await record(tx);
      });
    } else await record(db);
    return status;
  }
}
