import { z } from 'zod';
import { defineAction, type ActionContext, type ActionResult, type RiskLevel } from '../actions/action.js';
import { registerAction } from '../actions/registry.js';
import { hostView } from './hosts.js';
import type { Fleet } from './fleet.js';

const hostParams = z.object({ host: z.string().min(1, 'the host to act on, e.g. "{{ labels.host }}"'), reason: z.string().optional() }).strict();
type HostParams = z.output<typeof hostParams>;

/** A fleet operation as a runbook step: a FleetError becomes a failed step with its reason. */
function fleetAction(name: string, risk: RiskLevel, description: string, operate: (fleet: Fleet, p: HostParams, ctx: ActionContext) => Promise<{ summary: string; output?: Record<string, unknown> }>) {
  return defineAction({
    name,
    description,
    risk,
    params: hostParams,
    async run(p, ctx): Promise<ActionResult> {
      if (!ctx.fleet) return { ok: false, summary: `${name}: no fleet runs in this process`, output: {} };
      try {
        const done = await operate(ctx.fleet, p, ctx);
        return { ok: true, summary: done.summary, output: done.output ?? {} };
      } catch (err) {
        return { ok: false, summary: `${name} ${p.host}: ${(err as Error).message}`, output: {} };
      }
    },
  });
}

const opts = (p: HostParams, ctx: ActionContext, what: string) => ({ actor: ctx.actor ?? 'runbook', reason: p.reason ?? what, signal: ctx.signal });

export const hostDrain = fleetAction('host.drain', 'disruptive', 'take a host out of discovery and out of service (a stand-in is provisioned first when the pool allows surge)', async (fleet, p, ctx) => {
  const row = await fleet.drain(p.host, opts(p, ctx, 'drained by a runbook'));
  return { summary: `${p.host} drained; now ${row.state}`, output: { host: hostView(row) } };
});

export const hostReboot = fleetAction('host.reboot', 'disruptive', 'restart a host where it is, through its provider', async (fleet, p, ctx) => ({ summary: await fleet.reboot(p.host, opts(p, ctx, 'rebooted by a runbook')) }));

export const hostRepair = fleetAction('host.repair', 'disruptive', 'repair an out-of-service host (a fresh image where it is) and return it to service', async (fleet, p, ctx) => {
  const row = await fleet.repair(p.host, opts(p, ctx, 'repaired by a runbook'));
  return { summary: `${p.host} repaired; ${row.state_reason}`, output: { host: hostView(row) } };
});

export const hostReplace = fleetAction('host.replace', 'disruptive', 'take a failed host out, bring a healthy one into service, then repair or retire the old one', async (fleet, p, ctx) => {
  const { replacement } = await fleet.replace(p.host, opts(p, ctx, 'replaced by a runbook'));
  return { summary: `${p.host} replaced by ${replacement.name} at ${replacement.address}`, output: { replacement: hostView(replacement) } };
});

export const hostDecommission = fleetAction('host.decommission', 'destructive', 'stop a host for good and give its resources back', async (fleet, p, ctx) => {
  const row = await fleet.decommission(p.host, opts(p, ctx, 'decommissioned by a runbook'));
  return { summary: `${p.host} decommissioned`, output: { host: hostView(row) } };
});

for (const action of [hostDrain, hostReboot, hostRepair, hostReplace, hostDecommission]) registerAction(action);
