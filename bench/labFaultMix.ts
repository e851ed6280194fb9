import { setTimeout as sleep } from 'node:timers/promises';
import { runFaultMix, type FaultMixOptions, type FaultMixResult } from '../src/lab/faultMix.js';
import { startLabProcess } from './labProcess.js';

export type LabFaultFigures = FaultMixResult & { options: Omit<FaultMixOptions, 'baseUrl' | 'log'>; loadRate: number; shopTraffic: string };

/**
 * `prodeng lab` exactly as a person starts it (its own process, examples/lab
 * unchanged: probes, the replace runbook and its gates, shop traffic), then the
 * scripted fault mix of src/lab/faultMix.ts against its API.
 */
export async function labFaultMix(repoRoot: string, options: Omit<FaultMixOptions, 'baseUrl' | 'log'>, loadRate = 5): Promise<LabFaultFigures> {
  const lab = await startLabProcess(repoRoot, loadRate, 'prodeng-lab-faults-');
  const { url, child } = lab;
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prodeng lab exited (${child.exitCode}):\n${lab.output()}`);
      const hosts = await fetch(`${url}/api/v1/hosts?state=in_service`)
        .then(async (r) => ((await r.json()) as { hosts: unknown[] }).hosts.length)
        .catch(() => 0);
      if (hosts >= 18) break;
      if (Date.now() > deadline) throw new Error(`the lab did not come up within 90 s:\n${lab.output()}`);
      await sleep(500);
    }
    await sleep(5000); // a few probe rounds: every host seen healthy
    const result = await runFaultMix({ ...options, baseUrl: url, log: (line) => console.log(`  ${line}`) });
    const shopTraffic = lab.output().split('\n').reverse().find((l) => l.startsWith('lab: ')) ?? '';
    return { ...result, options, loadRate, shopTraffic };
  } finally {
    await lab.stop();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

/** The `## lab: fault mix` section of docs/BENCHMARKS.md. */
export function labFaultsSection(f: LabFaultFigures, machine: string): string {
  const kinds = Object.keys(f.byKind) as Array<keyof LabFaultFigures['byKind']>;
  const rows = kinds
    .map((k) => {
      const c = f.byKind[k];
      const mine = f.faults.filter((x) => x.kind === k);
      const healedAfter = mine.map((x) => x.healedAfterMs).filter((x): x is number => x !== null);
      return `| ${k} | ${mine.length} | ${c.healed} | ${c.incident} | ${c.neither === 0 ? '0' : `**${c.neither}**`} | ${healedAfter.length ? fmt(median(healedAfter) / 1000, 1) : '–'} |`;
    })
    .join('\n');
  const total = f.faults.length;
  const share = total ? f.healed / total : NaN;
  const line = (x: LabFaultFigures['faults'][number]) =>
    `- #${x.n} ${x.kind}${Object.keys(x.params).length ? ` ${JSON.stringify(x.params)}` : ''} on ${x.host}${x.pair ? ' (one of a pair)' : ''}${x.whilePaused ? ' (while paused)' : ''}: ${x.detail}`;
  const handed = f.faults.filter((x) => x.outcome === 'incident');
  const neither = f.faults.filter((x) => x.outcome === 'neither');
  const o = f.options;
  return `## lab: fault mix

\`prodeng lab\` as a person starts it (its own process on SQLite, \`examples/lab\` unchanged: a probe every 2 s on each of the 18 shop hosts, the \`host.replace\` runbook with its maxUnhealthy 50% per service, 30 s storm window, 2 min per-host cooldown, 10 a minute rate limit; the load generator at ${f.loadRate} requests/s). Then, through the API only, each fault kind ${o.perKind} times on random services (seed ${f.seed}), one every ${fmt(o.spacingMs / 1000, 1)} s, preferring a service no fault touched in the last 30 s: one pair of them on two hosts of one service at once, and automation paused (\`POST /api/v1/automation/pause\`) in the middle for ${fmt(f.pausedForMs / 1000)} s while ${o.duringPause} faults arrive, then resumed. Parameters: slow 1.5–3 s on every path (the probe times out at 1 s), errors share 0.5 or 1, leak 20 MB/s (healthz fails above the pools' 160 MB \`--max-rss-mb\`). The run then waits (up to ${fmt(o.settleMs / 1000)} s) until each fault is **healed without a human** (a remediation for its host succeeded and the process that carried the fault is gone, from /proc), or **handed to a human** (an open incident, \`GET /api/v1/incidents\`, holds its alert or its remediation), or it is **neither**, which must not happen. Nobody acknowledges or acts during the run. No peer is named for this workload.

Run ${new Date().toISOString()} on ${machine}; ${total} faults injected over ${fmt(f.injectSeconds)} s, ${fmt(f.seconds)} s in all; ${f.incidentsOpen} incident(s) open at the end.

| fault | injected | healed without a human | handed to a human (incident) | neither | fault → healed, median (s) |
|---|---:|---:|---:|---:|---:|
${rows}
| **all** | ${total} | ${f.healed} | ${f.incident} | ${f.neither === 0 ? '0' : `**${f.neither}**`} | ${fmt(median(f.faults.map((x) => x.healedAfterMs).filter((x): x is number => x !== null)) / 1000, 1)} |

**Share healed without a human: ${fmt(share * 100, 1)}%** (${f.healed} of ${total}); neither: ${f.neither} (must be 0: ${f.neither === 0 ? 'met' : 'not met'}).

While automation was paused: ${f.faults.filter((x) => x.whilePaused).map((x) => `#${x.n} ${x.kind} on ${x.host} ${x.outcome === 'healed' ? `healed ${fmt((x.healedAfterMs ?? NaN) / 1000, 1)} s after the fault` : x.outcome === 'incident' ? `handed to a human (incident ${x.incidentId})` : 'neither'}`).join(', ') || 'none'}. The pair: ${f.faults.filter((x) => x.pair).map((x) => `#${x.n} ${x.kind} on ${x.host} ${x.outcome === 'healed' ? 'healed' : x.outcome === 'incident' ? `handed to a human (incident ${x.incidentId})` : 'neither'}`).join(', ') || 'none'}.

Handed to a human:
${handed.map(line).join('\n') || '- none'}
${neither.length ? `\nNeither healed nor handed to a human:\n${neither.map(line).join('\n')}\n` : ''}`;
}
