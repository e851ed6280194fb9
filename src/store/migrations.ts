import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { StoreDialect } from './store.js';

// Migrations are code, not files on disk, so the built package carries them.
// Each takes the dialect because auto-increment keys differ between stores.
function migrationsFor(dialect: StoreDialect): Record<string, Migration> {
  const idColumn = (db: Kysely<any>, table: string) => {
    const builder = db.schema.createTable(table);
    return dialect === 'postgres'
      ? builder.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  };
  return {
    '0001_intake': {
      async up(db: Kysely<any>) {
        await idColumn(db, 'alerts')
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('annotations', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('host', 'text')
          .addColumn('dedup_key', 'text')
          .addColumn('generator_url', 'text')
          .addColumn('starts_at', 'bigint', (c) => c.notNull())
          .addColumn('ends_at', 'bigint')
          .addColumn('ends_at_from_timeout', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('acknowledged_at', 'bigint')
          .addColumn('resolved_at', 'bigint')
          .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('silenced_by', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // At most one open alert per fingerprint: the database, not the
        // process, guarantees dedup when several replicas take the same alert.
        await db.schema
          .createIndex('alerts_open_fingerprint')
          .on('alerts')
          .column('fingerprint')
          .unique()
          .where(sql.ref('status'), '<>', 'resolved')
          .execute();
        await db.schema.createIndex('alerts_status_id').on('alerts').columns(['status', 'id']).execute();
        await db.schema.createIndex('alerts_service_id').on('alerts').columns(['service', 'id']).execute();
        await db.schema
          .createIndex('alerts_open_ends_at')
          .on('alerts')
          .column('ends_at')
          .where(sql.ref('status'), '<>', 'resolved')
          .execute();

        await idColumn(db, 'alert_events')
          .addColumn('alert_id', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('alert_events_alert').on('alert_events').columns(['alert_id', 'id']).execute();

        await db.schema
          .createTable('silences')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('matchers', 'text', (c) => c.notNull())
          .addColumn('starts_at', 'bigint', (c) => c.notNull())
          .addColumn('ends_at', 'bigint', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('silences_ends_at').on('silences').column('ends_at').execute();

        await db.schema
          .createTable('heartbeats')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('interval_ms', 'bigint', (c) => c.notNull())
          .addColumn('grace_ms', 'bigint', (c) => c.notNull())
          .addColumn('registered_at', 'bigint', (c) => c.notNull())
          .addColumn('last_ping_at', 'bigint')
          .execute();

        await idColumn(db, 'work')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('run_at', 'bigint', (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_expires_at', 'bigint')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('idempotency_key', 'text', (c) => c.unique())
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('finished_at', 'bigint')
          .execute();
        await db.schema.createIndex('work_claimable').on('work').columns(['kind', 'status', 'run_at']).execute();

        await db.schema
          .createTable('leases')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0002_remediation': {
      async up(db: Kysely<any>) {
        await idColumn(db, 'remediations')
          .addColumn('runbook', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('scope', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('alert_id', 'bigint', (c) => c.notNull())
          .addColumn('alert_ids', 'text', (c) => c.notNull())
          .addColumn('plan', 'text', (c) => c.notNull())
          .addColumn('rung', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('step_index', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('step_in_progress', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('verify_deadline', 'bigint')
          .addColumn('approval_deadline', 'bigint')
          .addColumn('approval', 'text')
          .addColumn('manual_minutes', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('started_at', 'bigint')
          .addColumn('finished_at', 'bigint')
          .execute();
        // One active remediation per (runbook, target): a repeated alert
        // attaches to it; the database refuses a second one.
        await db.schema
          .createIndex('remediations_active_target')
          .on('remediations')
          .columns(['runbook', 'target'])
          .unique()
          .where(sql.raw(`status in ('pending', 'running', 'verifying', 'awaiting_approval')`) as any)
          .execute();
        await db.schema.createIndex('remediations_runbook_created').on('remediations').columns(['runbook', 'created_at']).execute();
        await db.schema.createIndex('remediations_status_id').on('remediations').columns(['status', 'id']).execute();
        await db.schema.createIndex('remediations_scope').on('remediations').columns(['runbook', 'scope', 'status']).execute();

        await idColumn(db, 'remediation_audit')
          .addColumn('remediation_id', 'bigint')
          .addColumn('alert_id', 'bigint')
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('remediation_audit_remediation').on('remediation_audit').columns(['remediation_id', 'id']).execute();

        await db.schema
          .createTable('automation_switch')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('paused', 'integer', (c) => c.notNull())
          .addColumn('changed_by', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('changed_at', 'bigint', (c) => c.notNull())
          .execute();

        await idColumn(db, 'incidents')
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('remediation_id', 'bigint')
          .addColumn('alert_ids', 'text', (c) => c.notNull())
          .addColumn('story', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0003_fleet': {
      async up(db: Kysely<any>) {
        await idColumn(db, 'hosts')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('pool', 'text')
          .addColumn('service', 'text')
          .addColumn('cluster', 'text')
          .addColumn('address', 'text')
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('provider_ref', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('state_reason', 'text', (c) => c.notNull())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('replaces', 'text')
          .addColumn('drained_by', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('state_changed_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('hosts_pool_state').on('hosts').columns(['pool', 'state']).execute();
        await db.schema.createIndex('hosts_service_state').on('hosts').columns(['service', 'state']).execute();

        await idColumn(db, 'host_transitions')
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('from_state', 'text')
          .addColumn('to_state', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('host_transitions_host').on('host_transitions').columns(['host', 'id']).execute();

        await idColumn(db, 'probe_results')
          .addColumn('probe', 'text', (c) => c.notNull())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('ok', 'integer', (c) => c.notNull())
          .addColumn('latency_ms', 'real', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('probe_results_host_at').on('probe_results').columns(['host', 'at']).execute();
        await db.schema.createIndex('probe_results_service_at').on('probe_results').columns(['service', 'at']).execute();

        await db.schema
          .createTable('probe_targets')
          .addColumn('probe', 'text', (c) => c.notNull())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
          .addColumn('consecutive_successes', 'integer', (c) => c.notNull())
          .addColumn('firing', 'integer', (c) => c.notNull())
          .addColumn('last_at', 'bigint', (c) => c.notNull())
          .addColumn('next_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('probe_targets_pk', ['probe', 'host'])
          .execute();
      },
    },
    '0004_paging': {
      async up(db: Kysely<any>) {
        for (const [column, type] of [
          ['team', 'text'],
          ['escalation_policy', 'text'],
          ['acknowledged_at', 'bigint'],
          ['acknowledged_by', 'text'],
          ['resolved_at', 'bigint'],
          ['resolved_by', 'text'],
        ] as const) {
          await db.schema.alterTable('incidents').addColumn(column, type).execute();
        }
        await db.schema.alterTable('incidents').addColumn('escalation_step', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('incidents').addColumn('escalation_round', 'integer', (c) => c.notNull().defaultTo(0)).execute();

        await idColumn(db, 'incident_events')
          .addColumn('incident_id', 'bigint', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('incident_events_incident').on('incident_events').columns(['incident_id', 'id']).execute();

        await idColumn(db, 'notifications')
          .addColumn('incident_id', 'bigint', (c) => c.notNull())
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('shadow', 'integer', (c) => c.notNull())
          .addColumn('shadowing', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('sent_at', 'bigint')
          .execute();
        await db.schema.createIndex('notifications_user_created').on('notifications').columns(['user_name', 'created_at']).execute();

        await db.schema
          .createTable('settings')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0005_overrides': {
      async up(db: Kysely<any>) {
        // On-call overrides added at run time (config overrides stay in YAML).
        await idColumn(db, 'schedule_overrides')
          .addColumn('schedule', 'text', (c) => c.notNull())
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('replaces', 'text')
          .addColumn('starts_at', 'bigint', (c) => c.notNull())
          .addColumn('ends_at', 'bigint', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('cancelled_at', 'bigint')
          .addColumn('cancelled_by', 'text')
          .execute();
        await db.schema.createIndex('schedule_overrides_schedule_ends_at').on('schedule_overrides').columns(['schedule', 'ends_at']).execute();
      },
    },
    // The console's change stream asks for silences changed since a time on every poll.
    '0006_silence_changes': {
      async up(db: Kysely<any>) {
        await db.schema.createIndex('silences_updated_at').on('silences').column('updated_at').execute();
      },
    },
    // Step processes that run now, with their remediation: a prodeng killed
    // mid-step leaves them here for the next one to end (src/actions/stepProcesses.ts).
    '0007_step_processes': {
      async up(db: Kysely<any>) {
        await idColumn(db, 'step_processes')
          .addColumn('remediation_id', 'bigint', (c) => c.notNull())
          .addColumn('place', 'text', (c) => c.notNull())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('pid', 'integer', (c) => c.notNull())
          .addColumn('start_time', 'text', (c) => c.notNull())
          .addColumn('owner_pid', 'integer', (c) => c.notNull())
          .addColumn('owner_start', 'text', (c) => c.notNull())
          .addColumn('argv', 'text', (c) => c.notNull())
          .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('step_processes_remediation').on('step_processes').column('remediation_id').execute();
      },
    },
    // SLOs (src/slo): good and total events per SLO and minute, and what the
    // evaluator last said of each SLO (its alert tier, how far probe results are counted).
    '0008_slo': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('sli_minutes')
          .addColumn('slo', 'text', (c) => c.notNull())
          .addColumn('minute', 'bigint', (c) => c.notNull())
          .addColumn('good', 'double precision', (c) => c.notNull())
          .addColumn('total', 'double precision', (c) => c.notNull())
          .addPrimaryKeyConstraint('sli_minutes_pk', ['slo', 'minute'])
          .execute();
        await db.schema.createIndex('sli_minutes_minute').on('sli_minutes').column('minute').execute();
        // The same counts per hour: windows of a day or more read hours, and minutes only at their edges.
        await db.schema
          .createTable('sli_hours')
          .addColumn('slo', 'text', (c) => c.notNull())
          .addColumn('hour', 'bigint', (c) => c.notNull())
          .addColumn('good', 'double precision', (c) => c.notNull())
          .addColumn('total', 'double precision', (c) => c.notNull())
          .addPrimaryKeyConstraint('sli_hours_pk', ['slo', 'hour'])
          .execute();
        await db.schema
          .createTable('slo_state')
          .addColumn('slo', 'text', (c) => c.primaryKey())
          .addColumn('known_since', 'bigint', (c) => c.notNull())
          .addColumn('probe_results_counted', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('pulled_until', 'bigint')
          .addColumn('tier', 'text')
          .addColumn('status', 'text')
          .addColumn('evaluated_at', 'bigint')
          .execute();
        // Each SLO's objective from when it was in force, so a review judges a past window by its own target.
        await db.schema
          .createTable('slo_targets')
          .addColumn('slo', 'text', (c) => c.notNull())
          .addColumn('objective', 'double precision', (c) => c.notNull())
          .addColumn('since', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('slo_targets_pk', ['slo', 'since'])
          .execute();
        // Who let changes through an SLO's gate although its policy said no, why, and until when.
        await idColumn(db, 'slo_gate_overrides')
          .addColumn('slo', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addColumn('revoked_by', 'text')
          .execute();
        await db.schema.createIndex('slo_gate_overrides_slo').on('slo_gate_overrides').columns(['slo', 'expires_at']).execute();
      },
    },
    // Urgency: a low-urgency incident is a ticket (its team is told once, nobody
    // is paged) until something pages for it. And what an SLO's error-budget
    // policy did when its budget went at risk or ran out.
    '0009_urgency': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('incidents').addColumn('urgency', 'text', (c) => c.notNull().defaultTo('high')).execute();
        await db.schema.alterTable('slo_state').addColumn('budget_state', 'text').execute();
        await idColumn(db, 'slo_policy_events')
          .addColumn('slo', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('slo_policy_events_slo').on('slo_policy_events').columns(['slo', 'at']).execute();
      },
    },
    // Chaos experiments (src/chaos): each run with its journal, and every fault
    // a run injected, with a lease its runner renews: a fault whose lease ran
    // out (the runner died) is reverted by the leader.
    '0010_chaos': {
      async up(db: Kysely<any>) {
        await idColumn(db, 'chaos_runs')
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('deviated', 'integer', (c) => c.notNull().defaultTo(0))
          // 1: alerts raised during the run page as usual; 0: their incidents are tickets
          .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('started_by', 'text', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint')
          .addColumn('experiment', 'text', (c) => c.notNull())
          .addColumn('journal', 'text')
          .execute();
        await db.schema.createIndex('chaos_runs_status').on('chaos_runs').columns(['status', 'lease_expires_at']).execute();
        await idColumn(db, 'chaos_faults')
          .addColumn('run_id', 'bigint')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('spec', 'text', (c) => c.notNull())
          .addColumn('injected_at', 'bigint', (c) => c.notNull())
          .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('reverted_at', 'bigint')
          .addColumn('reverted_by', 'text')
          .execute();
        await db.schema.createIndex('chaos_faults_open').on('chaos_faults').columns(['reverted_at', 'lease_expires_at']).execute();
      },
    },
    '0011_chaos_sweeps': {
      async up(db: Kysely<any>) {
        // experiment (a Chaos Toolkit run) or sweep (every edge under a service broken in turn)
        await db.schema.alterTable('chaos_runs').addColumn('kind', 'text', (c) => c.notNull().defaultTo('experiment')).execute();
        // the config Experiment document it ran, and the GameDay that scheduled it, when it did
        await db.schema.alterTable('chaos_runs').addColumn('experiment_name', 'text').execute();
        await db.schema.alterTable('chaos_runs').addColumn('game_day', 'text').execute();
        // the most of a service's hosts its faults may break at once (0..1), checked at each fault
        await db.schema.alterTable('chaos_runs').addColumn('max_blast_radius', 'real').execute();
        await db.schema.createIndex('chaos_runs_game_day').on('chaos_runs').columns(['game_day', 'started_at']).execute();
        await idColumn(db, 'chaos_edge_verdicts')
          .addColumn('run_id', 'bigint', (c) => c.notNull())
          .addColumn('caller', 'text', (c) => c.notNull())
          .addColumn('callee', 'text', (c) => c.notNull())
          .addColumn('verdict', 'text', (c) => c.notNull())
          .addColumn('declared', 'text')
          .addColumn('faults', 'text', (c) => c.notNull())
          .addColumn('measured_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('chaos_edge_verdicts_edge').on('chaos_edge_verdicts').columns(['caller', 'callee', 'measured_at']).execute();
      },
    },
    '0012_catalog': {
      async up(db: Kysely<any>) {
        // CI's JUnit reports, one row per report and per test case
        await idColumn(db, 'ci_reports')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('commit', 'text', (c) => c.notNull())
          .addColumn('branch', 'text')
          .addColumn('suite', 'text', (c) => c.notNull())
          .addColumn('tests', 'integer', (c) => c.notNull())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('errors', 'integer', (c) => c.notNull())
          .addColumn('skipped', 'integer', (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('received_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('ci_reports_service').on('ci_reports').columns(['service', 'received_at']).execute();
        await idColumn(db, 'ci_test_cases')
          .addColumn('report_id', 'bigint', (c) => c.notNull())
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('commit', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('duration_ms', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('ci_test_cases_commit').on('ci_test_cases').columns(['service', 'commit', 'name']).execute();
        await db.schema.createIndex('ci_test_cases_report').on('ci_test_cases').columns(['report_id']).execute();
        // what each upkeep check found, each time it ran
        await idColumn(db, 'upkeep_measurements')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('check', 'text', (c) => c.notNull())
          .addColumn('measured_at', 'bigint', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('upkeep_measurements_check').on('upkeep_measurements').columns(['service', 'check', 'measured_at']).execute();
        // each scorecard check's last status, to tell a team when one starts failing
        await db.schema
          .createTable('scorecard_checks')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('check', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('fact', 'text', (c) => c.notNull())
          .addColumn('since', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('scorecard_checks_pk', ['service', 'check'])
          .execute();
        await db.schema
          .createTable('scorecard_snapshots')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('level', 'integer', (c) => c.notNull())
          .addColumn('passed', 'integer', (c) => c.notNull())
          .addColumn('failed', 'integer', (c) => c.notNull())
          .addColumn('not_measured', 'integer', (c) => c.notNull())
          .addColumn('taken_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('scorecard_snapshots_pk', ['service', 'day'])
          .execute();
        await db.schema.createIndex('scorecard_snapshots_taken').on('scorecard_snapshots').columns(['taken_at']).execute();
        await idColumn(db, 'scorecard_notices')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0013_deploys': {
      async up(db: Kysely<any>) {
        // what changed, from the API, PagerDuty change events, or a deployment
        await idColumn(db, 'changes')
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('version', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('who', 'text', (c) => c.notNull())
          .addColumn('commit_sha', 'text')
          .addColumn('link', 'text')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('details', 'text', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('changes_service_at').on('changes').columns(['service', 'at']).execute();
        // a cluster's desired state; a cluster with no row is up
        await db.schema
          .createTable('cluster_states')
          .addColumn('cluster', 'text', (c) => c.primaryKey())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('changed_at', 'bigint', (c) => c.notNull())
          .addColumn('changed_by', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        // the version a host runs
        await db.schema.alterTable('hosts').addColumn('version', 'text').execute();
      },
    },
  };
}

export async function migrateToLatest(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'prodeng_migrations', migrationLockTableName: 'prodeng_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}
