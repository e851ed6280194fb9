import { sql, type ColumnType, type Generated, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';

// Times are epoch milliseconds in every table, on both stores, so that the
// same comparisons work in SQLite and PostgreSQL without date functions.
type Millis = number;

export interface AlertsTable {
  id: Generated<number>;
  fingerprint: string;
  source: string;
  status: 'firing' | 'acknowledged' | 'resolved';
  labels: string; // JSON object of label name -> value
  annotations: string; // JSON object
  summary: string;
  severity: string;
  service: string | null;
  host: string | null;
  dedup_key: string | null;
  generator_url: string | null;
  starts_at: Millis;
  ends_at: Millis | null;
  // 1 when ends_at was not sent and comes from resolveTimeout.
  ends_at_from_timeout: number;
  last_seen_at: Millis;
  acknowledged_at: Millis | null;
  resolved_at: Millis | null;
  occurrences: number;
  silenced_by: string | null; // JSON array of silence ids, null when not silenced
  created_at: Millis;
  updated_at: Millis;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: number;
  received_at: Millis;
  source: string;
  action: string;
  payload: string; // JSON of what the sender sent for this alert
}

export interface SilencesTable {
  id: string;
  matchers: string; // JSON array of matchers
  starts_at: Millis;
  ends_at: Millis;
  created_by: string;
  comment: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface HeartbeatsTable {
  name: string;
  interval_ms: number;
  grace_ms: number;
  registered_at: Millis;
  last_ping_at: Millis | null;
}

export interface WorkTable {
  id: Generated<number>;
  kind: string;
  subject: string;
  payload: string;
  status: 'pending' | 'leased' | 'done' | 'failed';
  run_at: Millis;
  lease_owner: string | null;
  lease_expires_at: Millis | null;
  attempts: number;
  idempotency_key: string | null;
  last_error: string | null;
  created_at: Millis;
  finished_at: Millis | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Millis;
}

export type RemediationStatus =
  | 'pending'
  | 'awaiting_approval'
  | 'running'
  | 'verifying'
  | 'succeeded'
  | 'failed'
  | 'escalated'
  | 'skipped';

export interface RemediationsTable {
  id: Generated<number>;
  runbook: string;
  target: string;
  service: string | null;
  /** the maxUnhealthy scope, e.g. "cluster=eu-1" */
  scope: string | null;
  status: RemediationStatus;
  reason: string;
  dry_run: number;
  /** the alert that started it */
  alert_id: number;
  /** JSON array: every alert attached to it */
  alert_ids: string;
  /** JSON: the rendered steps, ladder and verification */
  plan: string;
  /** 0: the runbook's steps; n: the n-th onFailure rung */
  rung: number;
  /** the step of the current rung to run next, and whether it was started (a crash left it unfinished) */
  step_index: number;
  step_in_progress: number;
  verify_deadline: Millis | null;
  approval_deadline: Millis | null;
  /** JSON { decision, by, reason, at } once someone answered */
  approval: string | null;
  manual_minutes: number;
  created_at: Millis;
  updated_at: Millis;
  started_at: Millis | null;
  finished_at: Millis | null;
}

export interface RemediationAuditTable {
  id: Generated<number>;
  remediation_id: number | null;
  alert_id: number | null;
  at: Millis;
  kind: string;
  message: string;
  data: string;
}

export interface AutomationSwitchTable {
  name: string;
  paused: number;
  changed_by: string;
  reason: string;
  changed_at: Millis;
}

export interface IncidentsTable {
  id: Generated<number>;
  title: string;
  status: 'open' | 'acknowledged' | 'resolved';
  service: string | null;
  remediation_id: number | null;
  alert_ids: string;
  story: string;
  created_at: Millis;
  updated_at: Millis;
  team: string | null;
  /** the EscalationPolicy paging for it; null when nobody is to be paged */
  escalation_policy: string | null;
  /** the step being walked now (0-based) and how many times the steps were walked */
  escalation_step: number;
  escalation_round: number;
  acknowledged_at: Millis | null;
  acknowledged_by: string | null;
  resolved_at: Millis | null;
  resolved_by: string | null;
  /** low: a ticket, its team told once and nobody paged; high: paged by the escalation policy */
  urgency: ColumnType<'high' | 'low', 'high' | 'low' | undefined, 'high' | 'low'>;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  at: Millis;
  /** opened, paged, notified, notification.failed, escalated, acknowledged, note, resolved, nobody-on-call */
  kind: string;
  actor: string;
  message: string;
  data: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  incident_id: number;
  user_name: string;
  /** email, webhook or slack */
  channel: string;
  /** 1: a shadow's copy */
  shadow: number;
  /** for a shadow's copy: whom the shadow follows */
  shadowing: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: Millis;
  sent_at: Millis | null;
}

export type HostState = 'provisioning' | 'in_service' | 'draining' | 'out_of_service' | 'repairing' | 'decommissioned';

export interface HostsTable {
  id: Generated<number>;
  name: string;
  /** the HostPool that owns it; null for a Host declared alone */
  pool: string | null;
  service: string | null;
  cluster: string | null;
  /** host:port; null until a provider has provisioned it */
  address: string | null;
  /** JSON object */
  labels: string;
  /** static (declared, not managed), local-process, ssh or script */
  provider: string;
  /** the provider's handle for it (pid, machine, instance id) */
  provider_ref: string | null;
  state: HostState;
  state_reason: string;
  /** config, api or pool */
  origin: string;
  /** the host this one was provisioned to replace */
  replaces: string | null;
  /** set while a drain is for maintenance, so undrain knows it may return the host */
  drained_by: string | null;
  created_at: Millis;
  updated_at: Millis;
  state_changed_at: Millis;
  /** the version it runs, when a deployment or its pool says */
  version: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface HostTransitionsTable {
  id: Generated<number>;
  host: string;
  from_state: HostState | null;
  to_state: HostState;
  /** who or what: a user, "remediation 12", "pool cart", "probe" */
  actor: string;
  reason: string;
  at: Millis;
}

export interface ProbeResultsTable {
  id: Generated<number>;
  probe: string;
  host: string;
  service: string | null;
  ok: number;
  latency_ms: number;
  detail: string;
  at: Millis;
}

export interface ProbeTargetsTable {
  probe: string;
  host: string;
  consecutive_failures: number;
  consecutive_successes: number;
  firing: number;
  last_at: Millis;
  next_at: Millis;
}

/** An on-call override added through the API; config overrides live in the Schedule document. */
export interface ScheduleOverridesTable {
  id: Generated<number>;
  schedule: string;
  /** who is on call instead (or as well) */
  user_name: string;
  /** whom user_name stands in for; null: user_name is on call alongside whoever else is */
  replaces: string | null;
  starts_at: Millis;
  ends_at: Millis;
  created_by: string;
  /** '' when none was given */
  reason: string;
  created_at: Millis;
  cancelled_at: Millis | null;
  cancelled_by: string | null;
}

export interface Database {
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  silences: SilencesTable;
  heartbeats: HeartbeatsTable;
  work: WorkTable;
  leases: LeasesTable;
  remediations: RemediationsTable;
  remediation_audit: RemediationAuditTable;
  automation_switch: AutomationSwitchTable;
  incidents: IncidentsTable;
  hosts: HostsTable;
  host_transitions: HostTransitionsTable;
  probe_results: ProbeResultsTable;
  probe_targets: ProbeTargetsTable;
  incident_events: IncidentEventsTable;
  notifications: NotificationsTable;
  settings: SettingsTable;
  schedule_overrides: ScheduleOverridesTable;
  sli_minutes: SliMinutesTable;
  sli_hours: SliHoursTable;
  slo_state: SloStateTable;
  slo_gate_overrides: SloGateOverridesTable;
  slo_policy_events: SloPolicyEventsTable;
  chaos_runs: ChaosRunsTable;
  chaos_faults: ChaosFaultsTable;
  chaos_edge_verdicts: ChaosEdgeVerdictsTable;
  ci_reports: CiReportsTable;
  ci_test_cases: CiTestCasesTable;
  upkeep_measurements: UpkeepMeasurementsTable;
  scorecard_checks: ScorecardChecksTable;
  scorecard_snapshots: ScorecardSnapshotsTable;
  scorecard_notices: ScorecardNoticesTable;
  changes: ChangesTable;
  cluster_states: ClusterStatesTable;
  slo_targets: SloTargetsTable;
}

/** An SLO's objective from `since` until the next row's. */
export interface SloTargetsTable {
  slo: string;
  objective: number;
  since: Millis;
}

export interface SloGateOverridesTable {
  id: Generated<number>;
  slo: string;
  created_by: string;
  reason: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: Millis | null;
  revoked_by: string | null;
}

/** Good and total events of one SLO in one minute (`minute` is its start, epoch ms). */
export interface SliMinutesTable {
  slo: string;
  minute: Millis;
  good: number;
  total: number;
}

/** The same counts per hour (`hour` is its start, epoch ms). */
export interface SliHoursTable {
  slo: string;
  hour: Millis;
  good: number;
  total: number;
}

/** A chaos experiment's run: who started it, where it stands, and its journal (Chaos Toolkit's shape) once it ends. */
export interface ChaosRunsTable {
  id: Generated<number>;
  title: string;
  /** the service the experiment targets, when it says */
  service: string | null;
  /** running, then completed, failed, aborted or interrupted */
  status: string;
  deviated: number;
  /** 1: alerts raised during the run page as usual; 0: their incidents are tickets (the team is told, nobody paged) */
  pages: ColumnType<number, number | undefined, number>;
  started_by: string;
  /** the replica running it, and until when it counts as alive */
  owner: string;
  lease_expires_at: Millis;
  started_at: Millis;
  ended_at: Millis | null;
  /** the experiment as run (secrets redacted), JSON */
  experiment: string;
  journal: string | null;
  /** experiment (a Chaos Toolkit run) or sweep (every edge under a service broken in turn) */
  kind: ColumnType<string, string | undefined, string>;
  /** the config Experiment document it ran, when it ran one */
  experiment_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** the GameDay that scheduled it, when one did */
  game_day: ColumnType<string | null, string | null | undefined, string | null>;
  /** the most of a service's hosts its faults may break at once (0..1; null: the default, 0.5) */
  max_blast_radius: ColumnType<number | null, number | null | undefined, number | null>;
}

/** What a sweep found for one dependency edge: the caller's steady state under each fault, and the verdict. */
export interface ChaosEdgeVerdictsTable {
  id: Generated<number>;
  run_id: number;
  caller: string;
  callee: string;
  /** critical, degradable or no_effect */
  verdict: string;
  /** what the caller's Service declares of the edge: required, optional, or null (undeclared) */
  declared: string | null;
  /** each fault and what it did, JSON */
  faults: string;
  measured_at: Millis;
}

/** A fault a run injected (a toxic, a broken lab host), kept until it is reverted. */
export interface ChaosFaultsTable {
  id: Generated<number>;
  run_id: number | null;
  /** toxic, lab-fault */
  kind: string;
  /** what it was injected into, JSON (a proxy, a service and host) */
  target: string;
  spec: string;
  injected_at: Millis;
  /** renewed while its run is alive; once past, the leader reverts it */
  lease_expires_at: Millis;
  reverted_at: Millis | null;
  /** the run's rollback, the lease running out, or a person */
  reverted_by: string | null;
}

/** What an SLO's error-budget policy did: told the team, or could not. */
export interface SloPolicyEventsTable {
  id: Generated<number>;
  slo: string;
  at: Millis;
  /** the budget state it acted on: at-risk or exhausted */
  state: string;
  /** notify */
  action: string;
  detail: string;
}
export interface SloStateTable {
  slo: string;
  /** when prodeng first knew the SLO: no-data is judged from then */
  known_since: Millis;
  /** probe_results ids up to this one are counted into sli_minutes */
  probe_results_counted: ColumnType<number, number | undefined, number>;
  /** a Prometheus indicator's minutes are counted up to here (epoch ms) */
  pulled_until: ColumnType<number | null, number | null | undefined, number | null>;
  /** the tier its alert carries, null when none fires */
  tier: string | null;
  /** the last evaluation, as JSON (SloStatus) */
  status: string | null;
  evaluated_at: Millis | null;
  /** ok, at-risk or exhausted, as last acted on by the policy */
  budget_state: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Values prodeng makes once and keeps (the link-signing secret). */
export interface SettingsTable {
  name: string;
  value: string;
}

export type HostRow = Selectable<HostsTable>;
export type ScheduleOverrideRow = Selectable<ScheduleOverridesTable>;

export type RemediationRow = Selectable<RemediationsTable>;

export type AlertRow = Selectable<AlertsTable>;
export type NewAlertRow = Insertable<AlertsTable>;
export type AlertUpdate = Updateable<AlertsTable>;
export type SilenceRow = Selectable<SilencesTable>;
export type HeartbeatRow = Selectable<HeartbeatsTable>;
export type WorkRow = Selectable<WorkTable>;
export type NewWorkRow = Insertable<WorkTable>;
export type NewAlertEventRow = Insertable<AlertEventsTable>;

/**
 * `status <> 'resolved'` with the literal in the SQL text: the partial
 * indexes on open alerts are only usable when the planner can see it
 * (PostgreSQL's generic plans and SQLite's prepared statements cannot see a
 * bound parameter).
 */
export const alertIsOpen: RawBuilder<boolean> = sql<boolean>`status <> 'resolved'`;

/** A JUnit report CI posted for a service's commit. */
export interface CiReportsTable {
  id: Generated<number>;
  service: string;
  commit: string;
  branch: string | null;
  /** the report's (first) suite name */
  suite: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  duration_ms: number;
  received_at: Millis;
  /** the credential that posted it */
  received_by: string;
}

/** One test case of a CI report. */
export interface CiTestCasesTable {
  id: Generated<number>;
  report_id: number;
  service: string;
  commit: string;
  /** classname + "." + name */
  name: string;
  /** passed, failed, error or skipped */
  status: string;
  duration_ms: number;
}

/** What an upkeep check found for a service, each time it ran (JSON CheckOutcome). */
export interface UpkeepMeasurementsTable {
  id: Generated<number>;
  service: string;
  check: string;
  measured_at: Millis;
  outcome: string;
}

/** A scorecard check's last status for a service, and since when. */
export interface ScorecardChecksTable {
  service: string;
  check: string;
  status: string;
  fact: string;
  since: Millis;
}

/** A service's score on one day (UTC), kept a year. */
export interface ScorecardSnapshotsTable {
  service: string;
  /** YYYY-MM-DD */
  day: string;
  level: number;
  passed: number;
  failed: number;
  not_measured: number;
  taken_at: Millis;
}

/** A notice sent (or not) because a passing check started failing. */
export interface ScorecardNoticesTable {
  id: Generated<number>;
  service: string;
  at: Millis;
  title: string;
  detail: string;
}

/** A change on the record: a deploy, a config or flag change, from the API, PagerDuty or a deployment. */
export interface ChangesTable {
  id: Generated<number>;
  service: string;
  version: string | null;
  /** deploy, config, flag, other */
  kind: string;
  summary: string;
  /** who made it: the credential's name, or PagerDuty's source */
  who: string;
  commit_sha: string | null;
  link: string | null;
  /** api, pagerduty, deploy */
  source: string;
  /** when the change happened, epoch ms */
  at: Millis;
  /** JSON: custom details, links */
  details: string;
  received_at: Millis;
}

/** A cluster's desired state; a cluster with no row is up. */
export interface ClusterStatesTable {
  cluster: string;
  /** up, down, turning-up, turning-down */
  state: string;
  changed_at: Millis;
  changed_by: string;
  detail: string;
}
