import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { ClusterView, Operation } from '../fleet/cluster/clusterControl.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

type Client = ReturnType<typeof apiClient>;
type WaitFlags = ServerFlags & { by: string; reason?: string; wait: boolean };

const poolLine = (p: ClusterView['pools'][number]) => [p.name, p.service, p.state, `${p.healthy}/${p.capacity}`, String(p.provisioning), String(p.out)];

function printCluster(c: ClusterView): void {
  console.log(`cluster ${c.name}: ${c.state}${c.changedBy ? ` (set by ${c.changedBy} at ${c.changedAt})` : ` (initial state ${c.initialState})`}${c.error ? `\n  last error: ${c.error}` : ''}`);
  console.log(formatTable(['POOL (turn-up order)', 'SERVICE', 'STATE', 'HEALTHY', 'PROVISIONING', 'OUT'], c.pools.map(poolLine)));
}

/**
 * Follows an operation the server runs, printing each step as it is taken,
 * until it ends; a failed one sets the exit code.
 */
async function follow(client: Client, cluster: string, started: Operation): Promise<void> {
  let printed = 0;
  for (;;) {
    const view = await client.get<ClusterView>(`/api/v1/clusters/${encodeURIComponent(cluster)}`);
    const op = view.operation && view.operation.startedAt === started.startedAt && view.operation.kind === started.kind ? view.operation : started;
    for (const step of op.steps.slice(printed)) console.log(`${step.at.slice(11, 23)}  ${step.line}`);
    printed = op.steps.length;
    if (op.state !== 'running') {
      printCluster(view);
      if (op.state === 'failed') {
        console.error(`prodeng: ${op.error}`);
        process.exitCode = 1;
      }
      return;
    }
    await sleep(300);
  }
}

async function start(flags: WaitFlags, path: string, body: Record<string, unknown>, cluster: string): Promise<void> {
  const client = apiClient(flags);
  const { operation } = await client.post<{ operation: Operation }>(path, JSON.parse(JSON.stringify({ by: flags.by, reason: flags.reason, ...body })));
  if (!flags.wait) return console.log(`started; follow it with: prodeng cluster status ${cluster}`);
  await follow(client, cluster, operation);
}

const moveOptions = (cmd: Command) =>
  withServerOptions(cmd.option('--reason <text>', 'why, for the record').option('--by <name>', 'who', userInfo().username).option('--no-wait', 'start it and return'));

export function clusterCommand(): Command {
  const cmd = new Command('cluster').description('clusters: turn one up from nothing in dependency order, down in reverse, move a service between them');
  withServerOptions(cmd.command('list').description('clusters and their desired state').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const { clusters } = await apiClient(flags).get<{ clusters: ClusterView[] }>('/api/v1/clusters');
    if (flags.json) return console.log(JSON.stringify({ clusters }, null, 2));
    if (clusters.length === 0) return console.log('no clusters (declare Cluster documents)');
    console.log(formatTable(['CLUSTER', 'STATE', 'POOLS', 'HEALTHY', 'ERROR'], clusters.map((c) => [c.name, c.state, String(c.pools.length), `${c.pools.reduce((n, p) => n + p.healthy, 0)}/${c.pools.reduce((n, p) => n + p.capacity, 0)}`, c.error ?? '-'])));
  });
  withServerOptions(cmd.command('status <cluster>').description('a cluster: its pools in turn-up order, each one\'s state and health')).action(async (cluster: string, flags: ServerFlags) => {
    printCluster(await apiClient(flags).get<ClusterView>(`/api/v1/clusters/${encodeURIComponent(cluster)}`));
  });
  moveOptions(cmd.command('up <cluster>').description('bring the cluster up in dependency order: each pool healthy before the next starts')).action((cluster: string, flags: WaitFlags) =>
    start(flags, `/api/v1/clusters/${encodeURIComponent(cluster)}/up`, {}, cluster),
  );
  moveOptions(cmd.command('down <cluster>').description('drain and decommission the cluster\'s pools in reverse dependency order').option('--force', 'even when a service would be left with no healthy hosts elsewhere')).action(
    (cluster: string, flags: WaitFlags & { force?: boolean }) => start(flags, `/api/v1/clusters/${encodeURIComponent(cluster)}/down`, { force: flags.force ?? false }, cluster),
  );
  moveOptions(cmd.command('migrate <service>').description('move a service to another cluster while it serves: fill its pool there, wait healthy, drain the old').requiredOption('--to <cluster>', 'the cluster to move it to')).action(
    (service: string, flags: WaitFlags & { to: string }) => start(flags, `/api/v1/services/${encodeURIComponent(service)}/migrate`, { to: flags.to }, flags.to),
  );
  return cmd;
}
