import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { EngineMetrics } from '../reports/engineMetrics.js';
import { actionNamed } from '../actions/registry.js';
import { getAlert } from '../intake/alertQueries.js';
import { attachToIncident, handOverToHuman } from '../incidents/handover.js';
import { handRefusalToHuman, openIncidentTitled } from './refusal.js';
import type { Clock } from '../store/clock.js';
import type { RemediationRow, RemediationStatus, WorkRow } from '../store/schema.js';
import type { DbOrTx, Store } from '../store/store.js';
import { claimWork, enqueueWork, finishWork, renewLease, subjectHeldElsewhere } from '../store/workQueue.js';
import { audit } from './audit.js';
import { automationState } from './automationSwitch.js';
import type { PlannedStep, RemediationPlan } from './plan.js';
import { ESCALATE, PLUGIN_ACTION, type PluginStepParams } from './runbookKind.js';
import { runPlugin, type LoadedPlugin } from '../plugins/runPlugin.js';
import type { SloApprovalCheck } from '../slo/sloApproval.js';
import type { ActionDefinition } from '../actions/action.js';
import type { Fleet } from '../fleet/fleet.js';
import { describeCheck, runHealthCheck } from '../probes/healthCheck.js';
import { evaluateGates, STORM_PREFIX, type GateDecision, type GlobalLimits, type ScopeSize } from './gates.js';
import { withStepProcessWatch } from '../actions/processGroups.js';
import { endLeftoverStepProcesses, endOrphanedStepProcesses, recordingWatch, type StepProcessRecord } from '../actions/stepProcesses.js';

export interface ExecutorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** global dry-run: record what would run, act on nothing */
  dryRun: boolean;
  /** identifies this process's leases */
  owner: string;
  /** how often verification looks at the alert again */
  verifyPollMs?: number;
  /** how long a claimed remediation is this process's before another may take it */
  leaseMs?: number;
  /** hosts in a maxUnhealthy scope, for percentages */
  scopeSize: ScopeSize;
  metrics?: EngineMetrics | undefined;
  /** how many items one pass claims (default 10) */
  claimLimit?: number;
  /** limits across all runbooks */
  global?: GlobalLimits | undefined;
  /** the fleet, for host.* actions */
  fleet?: Fleet | undefined;
  /** TypeScript plugins by name, for runbooks made from them */
  plugins?: ReadonlyMap<string, LoadedPlugin> | undefined;
  /** an SLO error-budget policy that asks approval for this runbook now, and why */
  sloApproval?: SloApprovalCheck | undefined;
}

const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_LEASE_MS = 10 * 60_000;

const WORK_KINDS = ['remediation.run', 'remediation.verify'] as const;

const orphanSweeps = new WeakMap<Store, Promise<void>>();

/**
 * Once per process and store, before the first claim: step processes a
 * killed prodeng left running on this machine are killed (their whole
 * group), so none runs unwatched beside what this process starts.
 */
function endOrphansOnce(opts: ExecutorOptions): Promise<void> {
  let sweep = orphanSweeps.get(opts.store);
  if (!sweep) {
    sweep = (async () => {
      const now = opts.clock.now();
      for (const p of await endOrphanedStepProcesses(opts.store.db)) {
        opts.logger.warn({ remediation: p.remediationId, pid: p.pid }, 'killed a step process left running by a stopped prodeng');
        await audit(opts.store.db, { remediationId: p.remediationId, kind: 'resumed', message: `killed the step process ${describeProcess(p)} that a stopped prodeng left running` }, now);
      }
    })().catch((err) => {
      // tried again at the next claim
      orphanSweeps.delete(opts.store);
      throw err;
    });
    orphanSweeps.set(opts.store, sweep);
  }
  return sweep;
}

const describeProcess = (p: StepProcessRecord) => `${p.pid} on ${p.host} (${p.argv.map((a) => JSON.stringify(a)).join(' ')}, started ${new Date(p.startedAt).toISOString()})`;

/** Claims up to `limit` due remediation items (runs first, then verifications), leased to this process. */
export async function claimRemediationWork(opts: ExecutorOptions, limit: number): Promise<WorkRow[]> {
  await endOrphansOnce(opts);
  const claimed: WorkRow[] = [];
  for (const kind of WORK_KINDS) {
    if (claimed.length >= limit) break;
    claimed.push(...(await claimWork(opts.store, { kind, owner: opts.owner, leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, limit: limit - claimed.length, now: opts.clock.now() })));
  }
  return claimed;
}

/** Moves one claimed remediation on, then finishes its work item (with the error, if it failed). */
export async function runClaimedWork(opts: ExecutorOptions, item: WorkRow): Promise<void> {
  // Keep the lease while the step runs, so this process's own next claim (or
  // another replica's) does not take the item over and run the step twice.
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const renewal = setInterval(() => {
    renewLease(opts.store.db, { id: item.id, owner: opts.owner, leaseMs, now: opts.clock.now() })
      .then((held) => held || opts.logger.warn({ remediation: item.subject }, 'lost the lease of a remediation still running here'))
      .catch((err) => opts.logger.warn({ err, remediation: item.subject }, 'could not renew a remediation lease'));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  try {
    if (item.kind === 'remediation.run') await startRemediation(opts, Number(item.subject), item.id);
    else await checkVerification(opts, Number(item.subject));
    await finishWork(opts.store.db, { id: item.id, owner: opts.owner, now: opts.clock.now() });
  } catch (err) {
    opts.logger.error({ err, remediation: item.subject }, 'remediation work failed');
    await finishWork(opts.store.db, { id: item.id, owner: opts.owner, now: opts.clock.now(), error: (err as Error).message });
    await handOverAfterError(opts, Number(item.subject), item.kind, err as Error);
  } finally {
    clearInterval(renewal);
  }
}

/**
 * Any error in any phase moves the remediation on: left `running` with no
 * work item, it would wait forever and hold its runbook's concurrency slot.
 * It goes to a human with the error; if even that fails (the store refuses
 * what the story holds), it is at least marked failed, so it is over.
 */
async function handOverAfterError(opts: ExecutorOptions, id: number, phase: string, err: Error): Promise<void> {
  const why = `prodeng failed while ${phase === 'remediation.verify' ? 'verifying' : 'running'} it: ${err.message}`;
  try {
    const row = await load(opts.store, id);
    if (TERMINAL.includes(row.status)) return;
    let plan: RemediationPlan;
    try {
      plan = JSON.parse(row.plan) as RemediationPlan;
    } catch {
      plan = { runbook: row.runbook, target: row.target } as RemediationPlan;
    }
    await escalate(opts, row, plan, why);
  } catch (again) {
    opts.logger.error({ err: again, remediation: id }, 'could not hand a failed remediation to a human; marking it failed');
    await opts.store.db
      .updateTable('remediations')
      .set({ status: 'failed', reason: why.slice(0, 2000), updated_at: opts.clock.now(), finished_at: opts.clock.now() })
      .where('id', '=', id)
      .where('status', 'not in', TERMINAL)
      .execute()
      .catch((last) => opts.logger.error({ err: last, remediation: id }, 'could not mark a remediation failed'));
  }
}

const TERMINAL: RemediationStatus[] = ['succeeded', 'failed', 'escalated', 'skipped'];

/** One pass: claim due remediation work and move each remediation on, side by side. Returns how many items it handled. */
export async function runRemediationWork(opts: ExecutorOptions): Promise<number> {
  const items = await claimRemediationWork(opts, opts.claimLimit ?? 10);
  await Promise.all(items.map((item) => runClaimedWork(opts, item)));
  return items.length;
}

async function load(store: Store, id: number): Promise<RemediationRow> {
  return store.db.selectFrom('remediations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function setStatus(opts: ExecutorOptions, id: number, status: RemediationStatus, reason: string, extra: Partial<RemediationRow> = {}): Promise<void> {
  const now = opts.clock.now();
  const terminal = ['succeeded', 'failed', 'escalated', 'skipped'].includes(status);
  await opts.store.db
    .updateTable('remediations')
    .set({ status, reason, updated_at: now, ...(terminal ? { finished_at: now } : {}), ...extra })
    .where('id', '=', id)
    .execute();
  if (opts.metrics && (terminal || extra.started_at)) await recordMetrics(opts.metrics, await load(opts.store, id), now);
}

function recordMetrics(m: EngineMetrics, row: RemediationRow, now: number): void {
  const seconds = (now - row.created_at) / 1000;
  if (row.status === 'running' && row.started_at === now) m.remediationFirstAction.observe({ runbook: row.runbook }, seconds);
  if (['succeeded', 'failed', 'escalated', 'skipped'].includes(row.status)) m.remediations.inc({ runbook: row.runbook, outcome: row.status });
  if (row.status === 'succeeded') {
    m.remediationTimeToFix.observe({ runbook: row.runbook }, seconds);
    m.humanMinutesSaved.inc({ runbook: row.runbook }, row.manual_minutes);
  }
}

async function alertStillFiring(db: DbOrTx, row: RemediationRow): Promise<{ firing: boolean; why: string }> {
  const alert = await getAlert(db, row.alert_id);
  if (!alert) return { firing: false, why: `alert ${row.alert_id} no longer exists` };
  if (alert.status === 'resolved') return { firing: false, why: `alert ${row.alert_id} is resolved` };
  if (alert.silenced) return { firing: false, why: `alert ${row.alert_id} is silenced` };
  return { firing: true, why: `alert ${row.alert_id} is ${alert.status}` };
}

function describe(step: PlannedStep): string {
  if (step.action === ESCALATE) return 'escalate to a human';
  if (step.action === PLUGIN_ACTION) return `plugin ${(step.params as PluginStepParams).plugin} (remediate, risk ${step.risk})`;
  const p = step.params as { argv?: string[] };
  return p.argv ? `${step.action} ${p.argv.map((a) => JSON.stringify(a)).join(' ')}` : `${step.action} ${JSON.stringify(step.params)}`;
}

async function startRemediation(opts: ExecutorOptions, id: number, workId: number): Promise<void> {
  const row = await load(opts.store, id);
  const plan = JSON.parse(row.plan) as RemediationPlan;
  let now = opts.clock.now();
  const db = opts.store.db;
  if (row.status === 'awaiting_approval') {
    if (row.approval_deadline !== null && now >= row.approval_deadline) {
      await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'gate', message: 'no answer to the approval request in time' }, now);
      await escalate(opts, row, plan, `nobody approved or rejected within ${Math.round((plan.safety.approvalTimeout ?? 0) / 60_000)}m`);
    }
    return;
  }
  if (row.status === 'running') {
    // Another item of this remediation leased to a live worker means its step
    // is running there right now: this item is extra, not the sign of a crash.
    if (await subjectHeldElsewhere(db, { subject: String(id), kinds: WORK_KINDS, exceptId: workId, now })) return;
    return resumeAfterCrash(opts, row);
  }
  if (row.status !== 'pending') return;

  // Under load every statement waits its turn for the store, so the checks
  // before acting run in one transaction and the start in another.
  const slot = await reserveSlot(opts, row, plan);
  if (slot.outcome === 'stale') return;
  // the time the gates decided at, read once the runbook's lock was held
  now = slot.now;
  if (slot.outcome === 'paused') return waitWhilePaused(opts, row, slot.reason, now);
  if (slot.outcome === 'not-firing') {
    await setStatus(opts, id, 'skipped', slot.reason);
    await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'skipped', message: slot.reason }, now);
    return;
  }
  const { decisions, decisive } = slot;
  if (decisive && !(await applyGate(opts, row, plan, decisive, decisions))) return;
  if (!decisive && decisions.length > 0) {
    await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'gate', message: `all ${decisions.length} gates pass`, data: { decisions } }, now);
  }
  if (slot.outcome === 'dry-run') {
    const wouldRun = [...plan.steps, ...plan.onFailure].map(describe);
    const reason = `dry run (${opts.dryRun ? 'global' : `runbook ${row.runbook}`}): nothing was run`;
    await setStatus(opts, id, 'skipped', reason);
    await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'dry-run', message: `would run: ${wouldRun.join('; ')}`, data: { plan } }, now);
    return;
  }
  if (slot.outcome === 'awaiting_approval') {
    const deadline = now + plan.safety.approvalTimeout;
    const risky = [...plan.steps, ...plan.onFailure].filter((st) => st.risk === 'destructive').map((st) => st.name);
    const why = slot.approvalReason ?? (risky.length ? `destructive step(s) ${risky.join(', ')} need approval` : `runbook ${row.runbook} asks for approval`);
    await setStatus(opts, id, 'awaiting_approval', `${why}; waiting until ${new Date(deadline).toISOString()}`, { approval_deadline: deadline });
    await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'gate', message: `awaiting approval: ${why}` }, now);
    await enqueueWork(db, [{ kind: 'remediation.run', subject: String(id), runAt: deadline }], now);
    return;
  }
  if (plan.confirm) {
    const check = await runHealthCheck(plan.confirm);
    // a check that was not run (its host is outside allowedHosts) confirms nothing
    if (check.refused) return escalate(opts, row, plan, `the failure is not confirmed: ${check.summary}`);
    if (check.ok) {
      const reason = `not started: the confirm check passes, so ${plan.target} looks healthy (${check.summary})`;
      await setStatus(opts, id, 'skipped', reason);
      await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'skipped', message: reason }, now);
      return;
    }
    await audit(db, { remediationId: id, alertId: row.alert_id, kind: 'gate', message: `confirmed: ${check.summary}` }, now);
  }
  const running = { ...row, status: 'running' as const, reason: `running ${plan.steps.length} step(s) on ${plan.target}`, started_at: now, updated_at: now };
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('remediations').set({ status: running.status, reason: running.reason, updated_at: now }).where('id', '=', id).execute();
    await audit(tx, { remediationId: id, alertId: row.alert_id, kind: 'started', message: `started on ${plan.target}; ${slot.firing}` }, now);
  });
  if (opts.metrics) recordMetrics(opts.metrics, running, now);
  await runRung(opts, running, plan, plan.steps, 0);
}

/** How often a remediation waiting behind the kill switch looks again (resuming also wakes it at once). */
export const PAUSED_RECHECK_MS = 30_000;

/**
 * Paused is not forgotten: the remediation stays pending and looks again
 * later, so when automation resumes it goes through every gate and the
 * still-firing check as if it had just arrived. Recorded once, not at every look.
 */
async function waitWhilePaused(opts: ExecutorOptions, row: RemediationRow, why: string, now: number): Promise<void> {
  const reason = `waiting: ${why}`;
  await opts.store.db.transaction().execute(async (tx) => {
    if (row.reason !== reason) {
      await tx.updateTable('remediations').set({ reason, updated_at: now }).where('id', '=', row.id).where('status', '=', 'pending').execute();
      await audit(tx, { remediationId: row.id, alertId: row.alert_id, kind: 'gate', message: `${why}; waiting until it is resumed` }, now);
    }
    await enqueueWork(tx, [{ kind: 'remediation.run', subject: String(row.id), runAt: now + PAUSED_RECHECK_MS }], now);
  });
}

export function needsApproval(plan: RemediationPlan): boolean {
  return plan.safety.requireApproval || [...plan.steps, ...plan.onFailure].some((s) => s.risk === 'destructive');
}

type SlotOutcome = { now: number } & (
  | { outcome: 'stale' }
  | { outcome: 'paused'; reason: string }
  | { outcome: 'not-firing'; reason: string }
  | { outcome: 'gated' | 'dry-run' | 'awaiting_approval' | 'running'; decisions: GateDecision[]; decisive: GateDecision | undefined; firing: string; approvalReason?: string }
);

/**
 * The kill switch, the gates, the move out of `pending` and the check that
 * the alert still fires happen in one transaction under one lock per
 * runbook (PostgreSQL advisory lock; SQLite has one writer), so two
 * replicas cannot both see room under maxUnhealthy, the rate limit or the
 * concurrency limit and both act. The slot is taken before the confirm
 * probe, which may be slow; a failed confirm gives it back by ending as
 * skipped. The time the gates judge by (and started_at) is read once the
 * lock is held: read before, it is as old as the wait for the lock, and a
 * time window (rate limit, cooldown, maxAttempts) would be judged early.
 */
async function reserveSlot(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan): Promise<SlotOutcome> {
  return opts.store.db.transaction().execute(async (tx): Promise<SlotOutcome> => {
    if (opts.store.dialect === 'postgres') {
      // A global limit spans runbooks, so it needs one lock for all of them.
      const lock = opts.global?.rateLimit ? 'prodeng.remediation:*' : `prodeng.remediation:${row.runbook}`;
      await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(tx);
    }
    // SQLite: the transaction holds the store's one writer from here on
    const now = opts.clock.now();
    const current = await tx.selectFrom('remediations').select('status').where('id', '=', row.id).executeTakeFirst();
    if (current?.status !== 'pending') return { now, outcome: 'stale' };
    const switchState = await automationState(tx);
    if (switchState.paused) return { now, outcome: 'paused', reason: `automation is paused (by ${switchState.changedBy}: ${switchState.reason})` };
    const decisions = await evaluateGates(tx, { id: row.id, plan }, now, opts.scopeSize, opts.global);
    const decisive = decisions.find((d) => d.verdict !== 'pass');
    if (decisive) return { now, outcome: 'gated', decisions, decisive, firing: '' };
    if (opts.dryRun || row.dry_run === 1) return { now, outcome: 'dry-run', decisions, decisive, firing: '' };
    const budgetReason = row.approval ? null : ((await opts.sloApproval?.(tx, row.runbook)) ?? null);
    if ((needsApproval(plan) || budgetReason) && !row.approval) {
      await tx.updateTable('remediations').set({ status: 'awaiting_approval', reason: 'gates passed; asking for approval', updated_at: now }).where('id', '=', row.id).execute();
      return { now, outcome: 'awaiting_approval', decisions, decisive, firing: '', ...(budgetReason ? { approvalReason: budgetReason } : {}) };
    }
    // FBAR re-ran its checks just before acting: the alert may have cleared
    // or been silenced while the remediation waited.
    const firing = await alertStillFiring(tx, row);
    if (!firing.firing) return { now, outcome: 'not-firing', reason: `not started: ${firing.why}` };
    await tx.updateTable('remediations').set({ status: 'running', reason: 'gates passed; confirming the failure', updated_at: now, started_at: now }).where('id', '=', row.id).execute();
    return { now, outcome: 'running', decisions, decisive, firing: firing.why };
  });
}

/** Carries out a gate's verdict; returns true only when the remediation may go on. */
async function applyGate(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, d: GateDecision, all: GateDecision[]): Promise<boolean> {
  const db = opts.store.db;
  const now = opts.clock.now();
  const reason = `${d.gate}: ${d.reason}`;
  if (d.verdict === 'defer') {
    if (row.reason !== `deferred by ${reason}`) {
      await audit(db, { remediationId: row.id, alertId: row.alert_id, kind: 'gate', message: `deferred by ${reason}`, data: { decisions: all } }, now);
    }
    await setStatus(opts, row.id, 'pending', `deferred by ${reason}`);
    await enqueueWork(db, [{ kind: 'remediation.run', subject: String(row.id), runAt: Math.max(d.until ?? now + 5000, now + 1000) }], now);
    return false;
  }
  await audit(db, { remediationId: row.id, alertId: row.alert_id, kind: 'gate', message: `not acting: ${reason}`, data: { decisions: all } }, now);
  if (d.verdict === 'escalate') {
    await escalate(opts, row, plan, reason);
    return false;
  }
  // skip; a failure storm is handed to a human once, with the scope's counts
  if (d.gate === 'maxUnhealthy' && d.scope && d.reason.startsWith(STORM_PREFIX)) {
    await setStatus(opts, row.id, 'skipped', d.reason);
    const stormCooldown = plan.safety.stormCooldown ?? 10 * 60_000;
    const title = `${STORM_PREFIX} ${d.scope.name} (${plan.runbook})`;
    const scope = d.scope;
    // Remediations of one scope are decided side by side: the look for an
    // open storm incident and its creation happen under one lock.
    const incident = await db.transaction().execute(async (tx) => {
      if (opts.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`prodeng.storm:${title}`}))`.execute(tx);
      const already = await tx.selectFrom('incidents').select(['id', 'alert_ids', 'status']).where('title', '=', title).where('created_at', '>=', now - stormCooldown).orderBy('id', 'desc').executeTakeFirst();
      if (already) {
        // the storm's incident hears of every further target, so none is refused unseen
        if (already.status !== 'resolved') await attachToIncident(tx, already, JSON.parse(row.alert_ids) as number[], `also failing in ${scope.name}: ${plan.target}`, [`${new Date(now).toISOString()} ${d.reason}`], now);
        return null;
      }
      return handOverToHuman(
        tx,
        {
          title,
          service: row.service,
          remediationId: row.id,
          alertIds: JSON.parse(row.alert_ids) as number[],
          story: [
            `${new Date(now).toISOString()} ${d.reason}`,
            `many failures at once in ${scope.name} usually share one cause; automation stopped acting on the extra targets there`,
          ],
        },
        now,
      );
    });
    if (incident !== null) {
      await audit(db, { remediationId: row.id, alertId: row.alert_id, kind: 'escalated', message: `escalated the storm in ${scope.name} to a human (incident ${incident})`, data: { incident, scope } }, now);
    }
    return false;
  }
  if (plan.safety.onRefusal === 'skip') {
    await setStatus(opts, row.id, 'skipped', d.reason);
    return false;
  }
  // Any other refusal reaches a human too: after a storm, the storm's open incident; otherwise one incident per cause.
  const cause = d.gate === 'stormCooldown' && d.scope ? `a recent failure storm in ${d.scope.name}` : `${d.gate} in ${d.scope?.name ?? plan.runbook}`;
  const incident = await db.transaction().execute(async (tx) => {
    const stormTitle = d.scope ? `${STORM_PREFIX} ${d.scope.name} (${plan.runbook})` : null;
    const storm = stormTitle ? await openIncidentTitled(tx, stormTitle, now) : undefined;
    if (storm) {
      await attachToIncident(tx, storm, JSON.parse(row.alert_ids) as number[], `also failing after the storm: ${plan.target}`, [`${new Date(now).toISOString()} ${d.reason}`], now);
      return storm.id;
    }
    return handRefusalToHuman(tx, opts.store.dialect, { runbook: plan.runbook, cause, reason: reason, service: row.service, remediationId: row.id, alertIds: JSON.parse(row.alert_ids) as number[] }, now);
  });
  await setStatus(opts, row.id, 'escalated', `${d.reason}; handed to a human (incident ${incident})`);
  await audit(db, { remediationId: row.id, alertId: row.alert_id, kind: 'escalated', message: `refused by ${d.gate}, handed to a human (incident ${incident})`, data: { incident } }, now);
  return false;
}

/** Runs one rung's steps; on success moves to verification, on failure to the next rung. */
function rungSteps(plan: RemediationPlan, rung: number): PlannedStep[] {
  if (rung === 0) return plan.steps;
  const step = plan.onFailure[rung - 1];
  return step ? [step] : [];
}

/**
 * Runs one rung's steps from `from`; on success moves to verification, on
 * failure to the next rung. Before each step the row records that it
 * started, so a process killed mid-step leaves a trace the next worker reads.
 */
async function runRung(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, steps: PlannedStep[], rung: number, from = 0): Promise<void> {
  const db = opts.store.db;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.action === ESCALATE) return escalate(opts, row, plan, `the runbook's ladder reached "${step.name}"`);
    const action = step.action === PLUGIN_ACTION ? await pluginStepAction(opts, row, plan, step) : actionNamed(step.action);
    if (!action) return escalate(opts, row, plan, step.action === PLUGIN_ACTION ? `plugin ${(step.params as PluginStepParams).plugin} is not loaded in this process` : `action ${step.action} is not available in this build`);
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('remediations').set({ rung, step_index: i, step_in_progress: 1, updated_at: opts.clock.now() }).where('id', '=', row.id).execute();
      await audit(tx, { remediationId: row.id, alertId: row.alert_id, kind: 'step.started', message: `${step.name}: ${describe(step)}`, data: { rung, step: step.name } }, opts.clock.now());
    });
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS);
    let result;
    try {
      // each process the step starts is recorded with the remediation until it ends
      result = await withStepProcessWatch(recordingWatch(db, row.id, () => opts.clock.now()), () =>
        action.run(step.params, {
          signal: controller.signal,
          fleet: opts.fleet,
          actor: `remediation ${row.id} (${row.runbook})`,
          log: (message, data) => void audit(db, { remediationId: row.id, kind: 'step.log', message, data: data ?? {} }, opts.clock.now()),
        }),
      );
    } catch (err) {
      result = { ok: false, summary: `${step.action} threw: ${(err as Error).message}`, output: {} };
    } finally {
      clearTimeout(timeout);
    }
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('remediations').set({ step_index: i + 1, step_in_progress: 0, updated_at: opts.clock.now() }).where('id', '=', row.id).execute();
      await audit(tx, { remediationId: row.id, alertId: row.alert_id, kind: 'step.finished', message: `${step.name}: ${result.summary}`, data: { rung, step: step.name, ok: result.ok, output: result.output } }, opts.clock.now());
    });
    if (!result.ok) return nextRung(opts, row, plan, rung, `step ${step.name} failed: ${result.summary}`, 'step');
  }
  return beginVerification(opts, row, plan, rung);
}

/** A plugin's `remediate` as an action, given the alert as it is now and the rendered target. */
async function pluginStepAction(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, step: PlannedStep): Promise<Pick<ActionDefinition, 'run'> | undefined> {
  const plugin = opts.plugins?.get((step.params as PluginStepParams).plugin);
  const alert = await getAlert(opts.store.db, row.alert_id);
  if (!plugin || !alert) return undefined;
  return { run: (_params, ctx) => runPlugin(plugin, { alert, target: plan.target, remediationId: row.id }, ctx) };
}

/**
 * A run item claimed again after its lease expired: the process that held
 * it died. A step it had started is run again only if declared idempotent;
 * otherwise a human decides, since running it twice could do harm.
 */
async function resumeAfterCrash(opts: ExecutorOptions, row: RemediationRow): Promise<void> {
  const plan = JSON.parse(row.plan) as RemediationPlan;
  const steps = rungSteps(plan, row.rung);
  const now = opts.clock.now();
  // What the dead process's step started may still run: it is ended before
  // the slot is given back or the step run again, or the remediation waits.
  const leftover = await endLeftoverStepProcesses(opts.store.db, row.id);
  for (const p of leftover.ended) {
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `killed the step process ${describeProcess(p)} left running by the interrupted run` }, now);
  }
  if (leftover.mayRun.length > 0) return waitForLeftoverProcesses(opts, row, leftover.mayRun, now);
  const step = steps[row.step_index];
  const nothingRan = row.rung === 0 && row.step_index === 0 && row.step_in_progress === 0;
  // Killed in the middle of a step that may not run twice: nobody knows what
  // it did, so a human looks, whether or not the alert has cleared meanwhile.
  if (row.step_in_progress === 1 && step && !step.idempotent) {
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `interrupted during step ${step.name}, which is not idempotent: not running it again` }, now);
    return escalate(opts, row, plan, `interrupted during step ${step.name} (the server stopped mid-step); it is not idempotent, so it was not run again and what it did is unknown`);
  }
  // The world moved on while no process held this remediation: look again
  // before acting, as a fresh start would.
  const firing = await alertStillFiring(opts.store.db, row);
  if (!firing.firing) {
    if (nothingRan) {
      const reason = `not started: ${firing.why} (found on resuming after an interruption)`;
      await setStatus(opts, row.id, 'skipped', reason);
      await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'skipped', message: reason }, now);
      return;
    }
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `resumed after an interruption: ${firing.why}; verifying instead of running more steps` }, now);
    return beginVerification(opts, row, plan, row.rung);
  }
  if (nothingRan && plan.confirm) {
    const check = await runHealthCheck(plan.confirm);
    if (check.refused) return escalate(opts, row, plan, `the failure is not confirmed: ${check.summary}`);
    if (check.ok) {
      const reason = `not started: the confirm check passes on resuming, so ${plan.target} looks healthy (${check.summary})`;
      await setStatus(opts, row.id, 'skipped', reason);
      await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'skipped', message: reason }, now);
      return;
    }
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'gate', message: `confirmed on resuming: ${check.summary}` }, now);
  }
  if (row.step_in_progress === 1 && step) {
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `interrupted during step ${step.name}; it is idempotent, running it again` }, now);
    return runRung(opts, row, plan, steps, row.rung, row.step_index);
  }
  await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `resumed after an interruption at step ${row.step_index + 1} of rung ${row.rung}` }, now);
  return runRung(opts, row, plan, steps, row.rung, row.step_index);
}

/** How often a remediation whose step process is out of reach looks again. */
export const LEFTOVER_RECHECK_MS = 30_000;

/**
 * A step process of this remediation may still run where this process
 * cannot end it (another machine or container; or it would not die): the
 * remediation stays running, so its slot is not given to another, and
 * looks again later. The prodeng that starts there next ends it.
 */
async function waitForLeftoverProcesses(opts: ExecutorOptions, row: RemediationRow, mayRun: StepProcessRecord[], now: number): Promise<void> {
  const reason = `waiting: step process ${mayRun.map(describeProcess).join(', ')} may still run and cannot be ended from here`;
  await opts.store.db.transaction().execute(async (tx) => {
    if (row.reason !== reason) {
      await tx.updateTable('remediations').set({ reason, updated_at: now }).where('id', '=', row.id).where('status', '=', 'running').execute();
      await audit(tx, { remediationId: row.id, alertId: row.alert_id, kind: 'resumed', message: `${reason}; not running a step or giving its slot back until it has ended` }, now);
    }
    await enqueueWork(tx, [{ kind: 'remediation.run', subject: String(row.id), runAt: now + LEFTOVER_RECHECK_MS }], now);
  });
}

async function beginVerification(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, rung: number): Promise<void> {
  const now = opts.clock.now();
  if (!plan.verify) {
    await setStatus(opts, row.id, 'succeeded', 'steps finished; the runbook asks for no verification', { rung });
    await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'verified', message: 'succeeded (no verification configured)' }, now);
    return;
  }
  const v = plan.verify;
  const within = Math.max(v.alertResolvedWithin ?? 0, v.probe ? v.within : 0);
  const wants = [v.alertResolvedWithin !== undefined ? `alert ${row.alert_id} resolved` : null, v.probe ? `${describeCheck(v.probe)} passing` : null].filter(Boolean).join(' and ');
  await setStatus(opts, row.id, 'verifying', `waiting up to ${Math.round(within / 1000)}s for ${wants}`, { rung, verify_deadline: now + within });
  await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'verifying', message: `verifying: ${wants} within ${Math.round(within / 1000)}s` }, now);
  await enqueueWork(opts.store.db, [{ kind: 'remediation.verify', subject: String(row.id), runAt: now }], now);
}

async function checkVerification(opts: ExecutorOptions, id: number): Promise<void> {
  const row = await load(opts.store, id);
  if (row.status !== 'verifying') return;
  const plan = JSON.parse(row.plan) as RemediationPlan;
  const now = opts.clock.now();
  const v = plan.verify!;
  const alert = await getAlert(opts.store.db, row.alert_id);
  const alertResolved = !alert || alert.status === 'resolved';
  const alertOk = v.alertResolvedWithin === undefined || alertResolved;
  const check = v.probe ? await runHealthCheck(v.probe) : null;
  if (alertOk && (check === null || check.ok)) {
    const proof = [v.alertResolvedWithin !== undefined ? `alert ${row.alert_id} resolved` : null, check ? check.summary : null].filter(Boolean).join('; ');
    await setStatus(opts, id, 'succeeded', `verified: ${proof}`);
    await audit(opts.store.db, { remediationId: id, alertId: row.alert_id, kind: 'verified', message: `verified: ${proof}` }, now);
    return;
  }
  if (now >= (row.verify_deadline ?? now)) {
    const what = [!alertOk ? `alert ${row.alert_id} still ${alert?.status}` : null, check && !check.ok ? check.summary : null].filter(Boolean).join('; ');
    await audit(opts.store.db, { remediationId: id, alertId: row.alert_id, kind: 'verification.failed', message: `not fixed at the verification deadline: ${what}` }, now);
    return nextRung(opts, row, plan, row.rung, `verification failed: ${what}`, 'verification');
  }
  await enqueueWork(opts.store.db, [{ kind: 'remediation.verify', subject: String(id), runAt: now + (opts.verifyPollMs ?? 1000) }], now);
}

/** Cheap fixes first: the next onFailure rung, or a human when the ladder is exhausted. */
async function nextRung(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, rung: number, why: string, cause: 'step' | 'verification'): Promise<void> {
  const next = rung + 1;
  const step = plan.onFailure[next - 1];
  const now = opts.clock.now();
  if (!step) {
    await setStatus(opts, row.id, 'failed', why, { rung });
    return escalate(opts, { ...row, status: 'failed' }, plan, `${why}; no further rung in the runbook`);
  }
  const confirm = await alertStillFiring(opts.store.db, row);
  // A step that failed is news for a human even when the alert has since
  // cleared (taking a host out of service clears its probe alert while its
  // replacement may have failed); acting again on a cleared alert is not.
  if (!confirm.firing && !(cause === 'step' && step.action === ESCALATE)) {
    // It cleared on its own meanwhile: prove it rather than act again.
    return beginVerification(opts, row, plan, rung);
  }
  await setStatus(opts, row.id, 'running', `${why}; trying rung ${next}: ${step.name}`, { rung: next, step_index: 0, step_in_progress: 0 });
  await audit(opts.store.db, { remediationId: row.id, alertId: row.alert_id, kind: 'rung', message: `${why}; next rung ${next}: ${step.name}` }, now);
  return runRung(opts, row, plan, [step], next);
}

async function escalate(opts: ExecutorOptions, row: RemediationRow, plan: RemediationPlan, why: string): Promise<void> {
  const now = opts.clock.now();
  const db = opts.store.db;
  const trail = await db.selectFrom('remediation_audit').select(['at', 'message']).where('remediation_id', '=', row.id).orderBy('id').execute();
  const incident = await handOverToHuman(
    db,
    {
      title: `${plan.runbook} could not fix ${plan.target}: ${why}`,
      service: row.service,
      remediationId: row.id,
      alertIds: JSON.parse(row.alert_ids) as number[],
      story: [...trail.map((t) => `${new Date(t.at).toISOString()} ${t.message}`), `${new Date(now).toISOString()} escalated: ${why}`],
    },
    now,
  );
  await setStatus(opts, row.id, 'escalated', why);
  await audit(db, { remediationId: row.id, alertId: row.alert_id, kind: 'escalated', message: `escalated to a human (incident ${incident}): ${why}`, data: { incident } }, now);
}
