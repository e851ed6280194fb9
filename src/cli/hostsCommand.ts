import { userInfo } from 'node:os';
import { Command } from 'commander';
import type { HostView } from '../fleet/hosts.js';
import { HOST_STATES } from '../fleet/hostStates.js';
import { apiClient } from './apiClient.js';
import { knownServices, mustBeKnown } from './knownNames.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

type HostWithTransitions = HostView & { transitions: Array<{ from: string | null; to: string; actor: string; reason: string; at: string }> };

function printHost(h: HostWithTransitions): void {
  console.log(`host ${h.name}: ${h.state} (${h.stateReason})`);
  console.log(`  service ${h.service ?? '-'}, pool ${h.pool ?? '-'}, cluster ${h.cluster ?? '-'}, address ${h.address ?? '-'}, provider ${h.provider}`);
  for (const t of h.transitions) console.log(`  ${t.at.replace('T', ' ').slice(0, 19)}  ${(t.from ?? '-').padEnd(14)} -> ${t.to.padEnd(14)} by ${t.actor}: ${t.reason}`);
}

export function hostsCommand(): Command {
  const cmd = new Command('hosts').description('the fleet: list hosts, show their history, drain and undrain');
  withServerOptions(cmd.command('list').description('hosts and their state').option('--service <name>').option('--pool <name>').option('--state <state>').option('--json', 'print JSON')).action(
    async (flags: ServerFlags & { service?: string; pool?: string; state?: string; json?: boolean }) => {
      if (flags.state) mustBeKnown('host state', flags.state, HOST_STATES);
      const q = new URLSearchParams();
      for (const k of ['service', 'pool', 'state'] as const) if (flags[k]) q.set(k, flags[k]!);
      const client = apiClient(flags);
      const { hosts } = await client.get<{ hosts: Array<HostView & { failing?: boolean }> }>(`/api/v1/hosts?${q}`);
      // Nothing found: a pool or service that does not exist is a typo to point out, not an empty fleet.
      if (hosts.length === 0 && (flags.pool || flags.service)) {
        const all = (await client.get<{ hosts: HostView[] }>('/api/v1/hosts')).hosts;
        if (flags.pool) {
          const { pools } = await client.get<{ pools: Array<{ name: string }> }>('/api/v1/pools');
          mustBeKnown('pool', flags.pool, [...pools.map((p) => p.name), ...all.flatMap((h) => (h.pool ? [h.pool] : []))]);
        }
        if (flags.service) mustBeKnown('service', flags.service, await knownServices(client, all.map((h) => h.service)));
      }
      if (flags.json) return console.log(JSON.stringify({ hosts }, null, 2));
      if (hosts.length === 0) return console.log('no hosts');
      // Failing hosts first, and in red on a terminal: in service but failing a probe, so not capacity.
      const sorted = [...hosts].sort((a, b) => Number(b.failing ?? false) - Number(a.failing ?? false));
      const lines = formatTable(['NAME', 'STATE', 'SERVICE', 'POOL', 'ADDRESS', 'SINCE', 'REASON'], sorted.map((h) => [h.name, h.failing ? `${h.state} (failing)` : h.state, h.service ?? '-', h.pool ?? '-', h.address ?? '-', h.stateChangedAt.slice(11, 19), h.stateReason])).split('\n');
      const colour = process.stdout.isTTY && !process.env.NO_COLOR;
      console.log(lines.map((l, i) => (colour && i > 0 && sorted[i - 1]!.failing ? `\x1b[31m${l}\x1b[0m` : l)).join('\n'));
    },
  );
  withServerOptions(cmd.command('show <name>').description('a host with every state change, who made it and why')).action(async (name: string, flags: ServerFlags) => {
    printHost(await apiClient(flags).get<HostWithTransitions>(`/api/v1/hosts/${encodeURIComponent(name)}`));
  });
  const operations: Array<[string, string]> = [
    ['drain', 'take a host out of discovery and service (a stand-in is provisioned first when its pool allows surge)'],
    ['undrain', 'return a drained host to service once it passes its readiness check'],
    ['repair', 'repair an out-of-service host where it is'],
    ['replace', 'take a host out, bring a healthy one in, repair or retire the old one'],
    ['decommission', 'stop a host for good'],
  ];
  for (const [operation, description] of operations) {
    withServerOptions(cmd.command(`${operation} <name>`).description(description).requiredOption('--reason <text>', 'why').option('--by <name>', 'who', userInfo().username)).action(
      async (name: string, flags: ServerFlags & { reason: string; by: string }) => {
        printHost(await apiClient(flags).post<HostWithTransitions>(`/api/v1/hosts/${encodeURIComponent(name)}/${operation}`, { by: flags.by, reason: flags.reason }));
      },
    );
  }
  return cmd;
}
