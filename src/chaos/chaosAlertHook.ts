import type { FiringHook } from '../intake/ingest.js';

/**
 * In the intake transaction: an alert of a service a chaos run is breaking
 * right now carries `chaos_experiment` (the run's title), so silences,
 * reports and people can tell a game day from an outage. Unless the run
 * asked to page, the incident it opens is a ticket: the team is told,
 * nobody is woken. The label is added after the fingerprint was taken, so
 * the alert stays the same alert when the run ends.
 */
export function chaosAlertHook(): FiringHook {
  return async (tx, alerts) => {
    const services = [...new Set(alerts.flatMap((a) => (a.service && !a.labels.chaos_experiment ? [a.service] : [])))];
    if (services.length === 0) return;
    const runs = await tx.selectFrom('chaos_runs').select(['id', 'title', 'service', 'pages']).where('status', '=', 'running').where('service', 'in', services).orderBy('id').execute();
    if (runs.length === 0) return;
    const byService = new Map(runs.map((r) => [r.service!, r]));
    for (const alert of alerts) {
      const run = alert.service ? byService.get(alert.service) : undefined;
      if (!run || alert.labels.chaos_experiment) continue;
      alert.labels.chaos_experiment = run.title;
      alert.labels.chaos_run = String(run.id);
      if (run.pages === 0) alert.ticketOnly = `chaos run ${run.id} (${run.title}) is breaking ${alert.service} on purpose`;
      await tx.updateTable('alerts').set({ labels: JSON.stringify(alert.labels) }).where('id', '=', alert.id).execute();
    }
  };
}
