import { userInfo } from 'node:os';
import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface PoolView {
  name: string;
  service: string;
  capacity: number;
  maxSurge: number;
  provider: string;
  inService: number;
  healthy: number;
  failing: string[];
  provisioning: number;
  outOfService: number;
  maintenance: { state: string; reason: string; by: string; batches: string[][] | null; error: string | null } | null;
}

export function poolsCommand(): Command {
  const cmd = new Command('pools').description('host pools: capacity, and maintenance windows');
  withServerOptions(cmd.command('list').description('pools with their capacity and hosts by state').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const { pools } = await apiClient(flags).get<{ pools: PoolView[] }>('/api/v1/pools');
    if (flags.json) return console.log(JSON.stringify({ pools }, null, 2));
    if (pools.length === 0) return console.log('no pools');
    console.log(
      formatTable(
        ['POOL', 'SERVICE', 'PROVIDER', 'HEALTHY', 'CAPACITY', 'FAILING', 'PROVISIONING', 'OUT', 'MAINTENANCE'],
        pools.map((p) => [p.name, p.service, p.provider, String(p.healthy), String(p.capacity), p.failing.length ? p.failing.join(',') : '-', String(p.provisioning), String(p.outOfService), p.maintenance ? `${p.maintenance.state}: ${p.maintenance.reason}` : '-']),
      ),
    );
  });
  withServerOptions(
    cmd
      .command('maintain <pool>')
      .description('drain the pool a batch at a time (stand-ins first, so it stays at capacity), hold each batch out for the maintenance, then return it')
      .requiredOption('--reason <text>', 'why')
      .option('--hold <duration>', 'how long each batch stays out of service', '30s')
      .option('--batch <n>', 'hosts per batch (at most the pool\'s maxSurge)', Number)
      .option('--by <name>', 'who', userInfo().username),
  ).action(async (pool: string, flags: ServerFlags & { reason: string; hold: string; batch?: number; by: string }) => {
    const p = await apiClient(flags).post<PoolView>(`/api/v1/pools/${encodeURIComponent(pool)}/maintenance`, JSON.parse(JSON.stringify({ by: flags.by, reason: flags.reason, hold: flags.hold, batchSize: flags.batch })));
    console.log(`maintenance window started on pool ${p.name} (${p.inService} in service, capacity ${p.capacity}); follow it with: prodeng pools list`);
  });
  return cmd;
}
