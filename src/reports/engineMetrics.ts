import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** prodeng's own metrics, served at /metrics. One registry per server so tests can run several. */
export function createEngineMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'prodeng_' });
  dropCounterNamedGauges(registry);
  const httpRequests = new Counter({
    name: 'prodeng_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'prodeng_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const intakeEvents = new Counter({
    name: 'prodeng_intake_events_total',
    help: 'Alert events received, by source and outcome (created, updated, acknowledged, resolved, ignored, silenced, rejected).',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  const intakeBatchDuration = new Histogram({
    name: 'prodeng_intake_commit_duration_seconds',
    help: 'Time to validate and commit one intake request, by source.',
    labelNames: ['source'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const leaderLoopRuns = new Counter({
    name: 'prodeng_maintenance_runs_total',
    help: 'Runs of the singleton maintenance loop (alert expiry, silences, heartbeats), by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const isLeader = new Gauge({
    name: 'prodeng_leader',
    help: '1 while this process holds the maintenance leader lease.',
    registers: [registry],
  });
  const remediations = new Counter({
    name: 'prodeng_remediations_total',
    help: 'Remediations that ended, by runbook and outcome (succeeded, failed, escalated, skipped).',
    labelNames: ['runbook', 'outcome'] as const,
    registers: [registry],
  });
  const remediationFirstAction = new Histogram({
    name: 'prodeng_remediation_first_action_seconds',
    help: 'Time from the alert being committed to the remediation starting its first step.',
    labelNames: ['runbook'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const remediationTimeToFix = new Histogram({
    name: 'prodeng_remediation_time_to_fix_seconds',
    help: 'Time from the alert being committed to a verified fix.',
    labelNames: ['runbook'] as const,
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const humanMinutesSaved = new Counter({
    name: 'prodeng_human_minutes_saved_total',
    help: "The runbooks' manualMinutes for every verified fix: toil automation took off people.",
    labelNames: ['runbook'] as const,
    registers: [registry],
  });
  const connectionsRefused = new Counter({
    name: 'prodeng_http_connections_refused_total',
    help: 'HTTP connections closed on accept because a connection cap was reached, by cap (total, per_client).',
    labelNames: ['cap'] as const,
    registers: [registry],
  });
  return { registry, connectionsRefused, remediations, remediationFirstAction, remediationTimeToFix, humanMinutesSaved, httpRequests, httpDuration, intakeEvents, intakeBatchDuration, leaderLoopRuns, isLeader };
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;

/**
 * prom-client's default metrics include three gauges named `..._total`
 * (active handles, requests, resources), a suffix Prometheus reserves for
 * counters, so `promtool check metrics` fails on them. Each is the sum of
 * the gauge of the same name without the suffix (by `type`), which stays:
 * `sum(prodeng_nodejs_active_handles)` is the same figure.
 */
function dropCounterNamedGauges(registry: Registry): void {
  for (const base of ['prodeng_nodejs_active_handles', 'prodeng_nodejs_active_requests', 'prodeng_nodejs_active_resources']) {
    if (registry.getSingleMetric(`${base}_total`)) registry.removeSingleMetric(`${base}_total`);
  }
}
