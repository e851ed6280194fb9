// A TypeScript remediation plugin, FBAR's own model: the match, target and
// safety rails are declared like a YAML runbook's; `remediate` is code.
//
// prodeng loads every .ts/.js module in the config directory's plugins/ at
// start; `prodeng check-config DIR` checks them with the YAML. The gates
// (dry run, kill switch, maxUnhealthy, cooldown, rate limits, approval for
// destructive plugins) run before `remediate` is called, and everything it
// does through ctx.actions lands in the audit trail.
import { definePlugin, type PluginContext } from 'prodeng/plugin';

// The target comes from the alert's `instance` label, and whoever sends the
// alert writes that: the requests below may reach the workers' hosts only
// (prodeng refuses any other host before sending), and a target that is
// more than host:port is not put into a URL at all.
const workerHosts = ['worker-*.checkout.internal:9000'];
const isHostPort = (target: string) => /^[A-Za-z0-9.-]+:\d+$/.test(target);

/** The worker's health endpoint, from the alert's `instance` label (host:port). */
const healthUrl = (ctx: PluginContext) => `http://${ctx.target}/healthz`;

async function answers(ctx: PluginContext): Promise<boolean> {
  const probe = await ctx.actions.probe({ http: { url: healthUrl(ctx), allowedHosts: workerHosts, timeout: '2s' } });
  return probe.ok;
}

export default definePlugin({
  name: 'recycle-stuck-worker',
  description: 'A queue worker that stopped taking jobs: ask it to drain and restart, then restart its unit if it will not.',
  match: { alertname: 'QueueWorkerStuck', env: '!=staging' },
  service: 'checkout',
  target: '{{ labels.instance }}',
  // exec and http are disruptive; a destructive action here would be refused
  // unless this said `risk: 'destructive'`, which also asks for approval.
  risk: 'disruptive',
  // Both ways of recycling are safe to repeat after a crash mid-run.
  idempotent: true,
  timeout: '3m',
  manualMinutes: 20,
  verify: { alertResolvedWithin: '5m' },
  onFailure: [{ action: 'escalate' }],
  safety: {
    maxUnhealthy: { per: 'cluster', max: '25%' },
    cooldown: '15m',
    maxAttempts: { count: 3, within: '6h' },
    // the example config acts on nothing: remove this line to let it run
    dryRun: true,
  },

  async remediate(ctx) {
    if (!isHostPort(ctx.target)) return { ok: false, summary: `${JSON.stringify(ctx.target)} is not host:port; not acting on it` };
    if (await answers(ctx)) {
      ctx.log(`${ctx.target} answers its health check; the queue is stuck elsewhere`);
      return { ok: false, summary: `${ctx.target} is healthy, so recycling it would not help` };
    }

    // The cheap fix first: the worker's own admin endpoint finishes the jobs
    // it holds and exits; its supervisor starts it again.
    const drained = await ctx.actions.http({
      url: `http://${ctx.target}/admin/recycle`,
      allowedHosts: workerHosts,
      method: 'POST',
      headersFromEnv: { Authorization: 'WORKER_ADMIN_TOKEN' },
      expectStatus: [202],
      retries: 1,
    });
    if (drained.ok) {
      await ctx.actions.wait({ duration: '20s' });
      if (await answers(ctx)) return { ok: true, summary: `${ctx.target} recycled itself and answers again` };
    }
    if (ctx.signal.aborted) return { ok: false, summary: 'stopped: the plugin ran out of time' };

    // Then the unit. The instance is one argv element, never shell text.
    const host = ctx.target.split(':')[0]!;
    const restarted = await ctx.actions.exec({ argv: ['systemctl', 'restart', `queue-worker@${host}`], timeout: '60s' });
    return { ok: restarted.ok, summary: `restarted queue-worker@${host}: ${restarted.summary}` };
  },
});
