import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intakeBench, type IntakeFigures, type IntakeWorkload } from './intakeBench.js';
import { remediationWave, type WaveFigures } from './remediationWave.js';
import { remediationLatency, type LatencyFigures } from './remediationLatency.js';
import { fleetReplacement, type ReplacementFigures } from './fleetReplacement.js';
import { probeOverhead, type ProbeOverheadFigures } from './probeOverhead.js';
import { pagingLatency, type PagingFigures } from './pagingLatency.js';
import { consoleLiveUpdates, type ConsoleFigures } from './consoleLiveUpdates.js';
import { alertFilterBench, type FilterFigures, type FilterWorkload } from './alertFilter.js';
import { labFaultMix, labFaultsSection } from './labFaultMix.js';
import { chaosSweepBench, chaosSweepSection } from './chaosSweep.js';
import { scorecardBench, scorecardSection } from './scorecardBench.js';
import { sloEvaluationBench, type SloEvaluationFigures } from './sloEvaluation.js';
import { chaosProxyBench, chaosProxySection } from './chaosProxy.js';
import { clusterBench, clusterSection } from './clusterBench.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docPath = join(repoRoot, 'docs', 'BENCHMARKS.md');

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function intakeSection(w: IntakeWorkload, figures: IntakeFigures[]): string {
  const goals: Record<string, Record<'storm' | 'steady', number>> = { 'prodeng (SQLite)': { storm: 1.0, steady: 1.5 }, 'prodeng (PostgreSQL)': { storm: 0.5, steady: 1.0 } };
  const table = (workload: 'storm' | 'steady') => {
    const rows = figures.filter((f) => f.workload === workload);
    const peer = rows.find((f) => f.target === 'Alertmanager')!;
    const lines = rows.map((f) => {
      const goal = goals[f.target]?.[workload];
      const ratio = f.target === 'Alertmanager' ? '1.00' : fmt(f.alertsPerSecond / peer.alertsPerSecond, 2);
      const met = goal === undefined ? '' : f.alertsPerSecond / peer.alertsPerSecond >= goal ? ` (goal ≥ ${fmt(goal, 1)}: met)` : ` (goal ≥ ${fmt(goal, 1)}: not met)`;
      const cpu = `${fmt(f.serverCpuUsPerAlert, 1)}${f.databaseCpuUsPerAlert !== undefined ? ` + ${fmt(f.databaseCpuUsPerAlert, 1)}` : ''} (${fmt(f.senderCpuUsPerAlert, 1)})`;
      return `| ${f.target} | ${f.version} | ${fmt(f.alertsPerSecond)} | **${ratio}**${met} | ${fmt(f.seconds, 2)} | ${fmt(f.p99BatchMs, 1)} (${fmt(f.p99BatchMs / peer.p99BatchMs, 2)}×) | ${fmt(f.peakRssMiB, 1)} (${fmt(f.peakRssMiB / peer.peakRssMiB, 2)}×) | ${cpu} |`;
    });
    return `| target | version | alerts/s | ratio to Alertmanager | seconds | p99 per batch (ms) | peak RSS (MiB) | CPU per alert (µs): server + database (senders) |
|---|---|---:|---:|---:|---:|---:|---:|
${lines.join('\n')}`;
  };
  const steady = figures.filter((f) => f.workload === 'steady');
  const history = steady
    .filter((f) => f.historyRows)
    .map((f) => `${f.target}: ${fmt(f.historyRows!.before)} history rows before the re-sends, ${fmt(f.historyRows!.after)} after; ${fmt(f.storeBytesPerAlert!)} bytes of store per open alert`)
    .join('; ');
  return `## intake

Two workloads posted to \`POST /api/v2/alerts\` in batches of ${w.batchSize} by ${w.senders} concurrent senders, the same bodies to each target, one target after the other in the same run, each target started fresh for each workload. prodeng commits every batch (alert, event history and downstream work) before answering, on SQLite and on PostgreSQL (synchronous_commit on); Alertmanager keeps alerts in memory only. "2 replicas" is two prodeng processes on one PostgreSQL database, each sender keeping to one of them. CPU per alert is utime + stime from /proc over the measured part: the prodeng (or Alertmanager) processes, for PostgreSQL its server processes on this machine, and in brackets the senders (the benchmark process), which share the same cores.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; the senders run on the same machine.

**Storm**: ${fmt(w.alerts)} distinct new alerts.

${table('storm')}

**Steady state**: ${fmt(w.steadyOpen)} open alerts (opened first, not measured), then re-sent ${w.resends} times as Prometheus does every resend delay, each time with \`endsAt\` further ahead and nothing else changed (${fmt(w.steadyOpen * w.resends)} alerts measured).

${table('steady')}

History and size after the steady state: ${history || 'not measured'}. A re-send that changes nothing adds no history row.

${projection(steady)}
`;
}

/**
 * A fleet of 1,000,000 open alerts re-sent every minute, from these
 * figures. On paper only: it assumes CPU per alert stays as measured at
 * 20,000 open alerts and that cores, not I/O, are the limit.
 */
function projection(steady: IntakeFigures[]): string {
  const pg1 = steady.find((f) => f.target === 'prodeng (PostgreSQL)');
  const pg2 = steady.find((f) => f.target.startsWith('prodeng (PostgreSQL, 2'));
  if (!pg1 || pg1.databaseCpuUsPerAlert === undefined || !pg1.storeBytesPerAlert) return '';
  const open = 1_000_000;
  const perSecond = (2 * open) / 60; // an HA pair of Prometheus servers each send every alert every minute
  const appCores = (perSecond * pg1.serverCpuUsPerAlert) / 1e6;
  const dbCores = (perSecond * pg1.databaseCpuUsPerAlert) / 1e6;
  // A replica is one Node thread: plan for 60% of it, leaving room for bursts and the other stages.
  const replicas = Math.max(2, Math.ceil(appCores / 0.6));
  const gib = (pg1.storeBytesPerAlert * open) / 1024 ** 3;
  const scaling = pg2 ? ` Two replicas on this 2-core machine took ${fmt(pg2.alertsPerSecond)} alerts/s against one replica's ${fmt(pg1.alertsPerSecond)} (${fmt(pg2.alertsPerSecond / pg1.alertsPerSecond, 2)}×): here the replicas, the database and the senders share two cores, so this shows that replicas add no conflicts, not how far they scale.` : '';
  return `**Projection (on paper, not measured): 1,000,000 open alerts re-sent every minute.** From an HA pair of Prometheus servers that is ${fmt(perSecond)} alerts/s, nearly all changing nothing. At the steady-state CPU measured above (${fmt(pg1.serverCpuUsPerAlert, 1)} µs of prodeng and ${fmt(pg1.databaseCpuUsPerAlert, 1)} µs of PostgreSQL per alert), that is ${fmt(appCores, 1)} cores of prodeng, so **${replicas} replicas** at 60% of a core each, and ${fmt(dbCores, 1)} cores of PostgreSQL. The store holds ${fmt(pg1.storeBytesPerAlert)} bytes per open alert (alert row, its first history row and indexes), so **about ${fmt(gib, 1)} GiB** for the open alerts, which a database server can keep in memory; the steady state adds no rows, so it does not grow with time, only with new alerts and changes.${scaling}`;
}

function sloSection(runs: SloEvaluationFigures[]): string {
  const f0 = runs[0]!;
  const rows = runs.map((f) => `| ${f.store} | ${fmt(f.slos)} | ${fmt(f.rows < 0 ? 0 : f.rows)} | ${fmt(f.cpuMsPerTick)}${f.databaseCpuMsPerTick !== undefined ? ` + ${fmt(f.databaseCpuMsPerTick)}` : ''} | ${fmt(f.wallMsPerTick)} | **${fmt(f.coreShare * 100, 2)}%** (goal < 10%: ${f.coreShare < 0.1 ? 'met' : 'not met'}) | ${f.alertsRaised} |`);
  return `## slo: evaluation cost

${fmt(f0.slos)} SLOs (99.9% and 99.5%, 30-day windows, pushed events), each with 30 days of hourly counts and the last 4 days of minute counts as the store keeps them, one in ten burning at 20× in its last hour. One evaluator pass reads every SLO's budget window and its eight alerting windows and moves its alert; the leader makes one pass a minute. CPU of the prodeng process (and of PostgreSQL's processes) for one pass, the median of ${f0.ticks} passes after a first one that raises the burning SLOs' alerts. No peer is named for this workload.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| store | SLOs | stored count rows | CPU per pass (ms): prodeng + database | wall time per pass (ms) | share of a core at one pass a minute | SLO alerts raised |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
}

/** Replaces one `## name` section of the document, keeping the others. */
function writeSection(name: string, body: string): void {
  const header = '# Benchmarks\n\nWritten by `npm run bench`; each figure sits beside the same workload run against the peer in the same run.\n\n';
  const current = existsSync(docPath) ? readFileSync(docPath, 'utf8') : header;
  const sections = current.split(/^(?=## )/m);
  // Replace the section where it stands, or add it at the end.
  const at = sections.findIndex((part) => part.startsWith(`## ${name}\n`));
  if (at >= 0) sections[at] = body;
  else sections.push(body);
  if (!sections[0]?.startsWith('#')) sections.unshift(header);
  const doc = sections.map((part) => `${part.trimEnd()}\n\n`).join('');
  writeFileSync(docPath, doc.endsWith('\n') ? doc : `${doc}\n`);
}

function latencySection(l: LatencyFigures): string {
  return `## remediation: time to first action

From an alert's 2xx to its remediation's first action starting, while other alerts arrive at ${fmt(l.backgroundTarget)}/s (batches of 100; a pool of 20,000 distinct alerts re-sent, as Prometheus does). ${fmt(l.samples + l.missing)} probe alerts over ${fmt(l.seconds, 1)} s, each a new target matching a runbook whose first step is an \`http\` call to a receiver in the benchmark process; the figure ends when that call arrives. prodeng runs as its own process on embedded SQLite, woken by intake when a remediation commits. No peer is named for this workload.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| p50 (ms) | p99 (ms) | max (ms) | samples | missing | background accepted (alerts/s) | probe intake p50 / p99 (ms) |
|---:|---:|---:|---:|---:|---:|---:|
| ${fmt(l.p50Ms, 1)} | ${fmt(l.p99Ms, 1)} | ${fmt(l.maxMs, 1)} | ${l.samples} | ${l.missing} | ${fmt(l.backgroundAchieved)} | ${fmt(l.intakeP50Ms, 1)} / ${fmt(l.intakeP99Ms, 1)} |

**p99 ${fmt(l.p99Ms, 1)} ms** (goal: under 100 ms${l.p99Ms < 100 ? ', met' : ', not met'}).
`;
}

function replacementSection(r: ReplacementFigures): string {
  return `## fleet: crash to replacement serving

The lab (\`examples/lab\`: nine shop services, two local-process hosts each, probe every ${r.probeIntervalMs / 1000} s with failure threshold ${r.failureThreshold}, the \`host.replace\` runbook), prodeng as its own process on SQLite. ${r.crashes} crashes, one a second round the services, each a real \`crash\` fault (the host process exits). Timed from the crash, and from the probe alert firing (the failure threshold reached), until discovery lists a new healthy host in the victim's place. The runbook's rate limit, per-host cooldown, attempt budget and storm window are opened for the run, since every host is crashed every ~18 s. No peer is named for this workload.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| replaced | crash → serving p50 (ms) | p99 (ms) | threshold → serving p50 (ms) | p99 (ms) | max (ms) |
|---:|---:|---:|---:|---:|---:|
| ${r.replaced} of ${r.crashes} | ${fmt(r.crashToServingP50)} | ${fmt(r.crashToServingP99)} | ${fmt(r.thresholdToServingP50)} | ${fmt(r.thresholdToServingP99)} | ${fmt(r.thresholdToServingMax)} |

**Replacement serving ${fmt(r.thresholdToServingP99)} ms (p99) after the failure threshold** (goal: under 5 s${r.thresholdToServingP99 < 5000 ? ', met' : ', not met'}). Most of crash → serving is detection: ${r.failureThreshold} failed probes ${r.probeIntervalMs / 1000} s apart.
`;
}

function probeSection(p: ProbeOverheadFigures): string {
  return `## fleet: probe scheduling overhead

${fmt(p.targets)} hosts, one HTTP probe each every ${p.intervalMs / 1000} s (answered by 50 health endpoints in the benchmark process), every result kept in SQLite. CPU of the prodeng process (utime + stime from /proc) over ${fmt(p.seconds)} s once every target is scheduled, beside the same fleet with no Probe. No peer is named for this workload.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| targets | checks/s | CPU, share of one core | without probes | missed deadlines |
|---:|---:|---:|---:|---:|
| ${fmt(p.targets)} | ${fmt(p.checksPerSecond)} | ${fmt(p.cpuShare * 100, 1)}% | ${fmt(p.idleCpuShare * 100, 1)}% | ${p.missedDeadlines} |

Goal: under 10% of a core with zero missed deadlines (${p.cpuShare < 0.1 && p.missedDeadlines === 0 ? 'met' : 'not met'}). A check counts as missed when it starts more than a tenth of its interval (at least 1 s) late.
`;
}

function pagingSection(p: PagingFigures): string {
  return `## on-call: page latency and on-call lookup

**Page latency**: ${fmt(p.incidents)} incidents opened by hand (\`POST /api/v1/incidents\`) at 50 a second, each for a service of its own (incidents of one service within 30 minutes are grouped and page once) owned by one of 50 teams, each paging its schedule's on-call person by email. Timed from the 2xx until a real SMTP server (\`smtp-server\`, in the benchmark process) has the message. prodeng runs as its own process on SQLite; its paging worker looks for work every 200 ms. The per-person page limit is lifted for the run (it is a gate with its own test).

**On-call lookup**: who is on call in each of 1,000 schedules (weekly or daily rotations in five time zones, a restricted business-hours layer, an override) at a random time within a year (ten rounds, 10,000 lookups), through the same function the API and paging use, after one warm-up pass. Also one \`GET /api/v1/oncall\` answering for all 1,000 schedules. No peer is named for these workloads.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| pages delivered | page p50 (ms) | page p99 (ms) | max (ms) | lookup p50 (µs) | lookup p99 (µs) | API, 1,000 schedules (ms) |
|---:|---:|---:|---:|---:|---:|---:|
| ${p.delivered} of ${p.incidents} | ${fmt(p.p50Ms)} | ${fmt(p.p99Ms)} | ${fmt(p.maxMs)} | ${fmt(p.lookupP50Us)} | ${fmt(p.lookupP99Us)} | ${fmt(p.apiAllSchedulesMs)} |

Goals: page p99 under 1 s with every page delivered (${p.p99Ms < 1000 && p.delivered === p.incidents ? 'met' : 'not met'}); on-call lookup under 1 ms (${p.lookupP99Us < 1000 ? 'met at p99' : p.lookupP50Us < 1000 ? 'met at p50, not at p99' : 'not met'}).
`;
}

function consoleSection(c: ConsoleFigures, load: number): string {
  const t = c.throughput;
  const ratio = t.alertsPerSecondStreams / t.alertsPerSecondNoStreams;
  const perEventStreamUs = ((t.serverCpuMsPer1000Streams - t.serverCpuMsPer1000NoStreams) * 1000) / 1000 / c.streams;
  return `## console: live updates

\`GET /api/v1/events\` with ${c.streams} streams open against prodeng as its own process on embedded SQLite; each client is what the console does: \`fetch\` reading the body, \`eventStreamParser\`, JSON per event (all ${c.streams} in one worker thread of the benchmark process, apart from the thread that posts). The server polls the store every ${fmt(c.pollIntervalMs)} ms while a stream is open.

**Live latency**: ${fmt(c.alerts)} alerts with distinct fingerprints posted one per request to \`POST /api/v2/alerts\` (Prometheus format) at ${fmt(c.perSecondAchieved)}/s. Timed from each POST's 2xx until each stream has the \`alert\` event (action \`firing\`) for it, over all (alert, stream) pairs. Each alert carries its own \`instance\` label; after the run its id is read back from \`GET /api/v1/alerts?match[]={run="…"}\` and matched with the \`alertId\` of the events. Both ends are read from one monotonic clock.${c.minMs < 0 ? " An event can reach a stream before the client has handled the POST's answer (the poll can run between the commit and the reply), hence a negative minimum." : ''}

**Cost**: CPU of the prodeng process (utime + stime from /proc) over ${fmt(c.idleSeconds)} s with the ${c.streams} streams open and idle (no alerts arriving: the poller and heartbeats), and over as long with every stream closed (the poller stops with the last one), in ${c.idleSlices} slices each, alternated, since the server's own periodic work (the same in both) makes any one window vary by about a point.

**Intake with and without streams**: distinct alerts in batches of ${t.batchSize} by ${t.senders} concurrent senders, as in the intake benchmark, for ${t.seconds} s a run (${fmt(t.alertsPerRunNoStreams)} alerts a run on average with no stream, ${fmt(t.alertsPerRunStreams)} with streams), with no stream open and with ${c.streams} open, alternated over ${t.rounds} rounds; every stream receives every event. No peer is named for this workload (Alertmanager has no push stream of changes); the comparison is prodeng with no stream open.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} (load average ${fmt(load, 1)} at the start).

| streams | (alert, stream) pairs | missed | p50 (ms) | p99 (ms) | max (ms) | min (ms) | POST p50 / p99 (ms) |
|---:|---:|---:|---:|---:|---:|---:|---:|
| ${c.streams} | ${fmt(c.pairs - c.missed)} of ${fmt(c.pairs)} | **${fmt(c.missed)}** | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${fmt(c.maxMs)} | ${fmt(c.minMs)} | ${fmt(c.postP50Ms, 1)} / ${fmt(c.postP99Ms, 1)} |

| CPU, ${c.streams} idle streams | CPU, no stream | difference |
|---:|---:|---:|
| ${fmt(c.cpuShareStreams * 100, 1)}% of a core | ${fmt(c.cpuShareNoStreams * 100, 1)}% | ${fmt((c.cpuShareStreams - c.cpuShareNoStreams) * 100, 1)} points |

| intake | alerts/s | server CPU per 1,000 alerts (ms) | streams caught up after the last 2xx (ms) | streams cut off |
|---|---:|---:|---:|---:|
| no stream | ${fmt(t.alertsPerSecondNoStreams)} | ${fmt(t.serverCpuMsPer1000NoStreams)} | | |
| ${c.streams} streams | ${fmt(t.alertsPerSecondStreams)} | ${fmt(t.serverCpuMsPer1000Streams)} | ${fmt(t.catchUpMs)} | ${t.cut} |

Missed events: ${c.missed} of ${fmt(c.pairs)} (must be 0: ${c.missed === 0 && c.dropped === 0 ? 'met' : 'not met'}; ${c.dropped} streams dropped). **Intake with ${c.streams} streams / with none: ${fmt(ratio, 2)}** (alerts/s). At full intake rate the server spends about ${fmt(perEventStreamUs, 1)} µs of CPU per event per stream sending the changes, on the thread that also answers intake: each poll's batch is encoded once and the same bytes written to every stream.${t.cut > 0 ? ` ${t.cut} streams were cut off during the intake runs: a stream that leaves more than 1 MB unread is closed (the console reconnects and refetches), and here all ${c.streams} clients parse on one thread of a machine whose other core runs the server; they are opened again before the next run.` : ''}
`;
}

function waveSection(f: WaveFigures): string {
  return `## remediation: failure wave

${fmt(f.hosts)} hosts in ${f.clusters} clusters, ${fmt(f.failing)} failing at once (alerts posted in one request), runbook with a no-op step and \`maxUnhealthy: { per: cluster, max: ${f.allowedPerCluster} }\`, embedded SQLite. Time from the alerts' 2xx until no remediation is pending or running. No peer is named for this workload.

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| failing | acted on | blocked by maxUnhealthy | storm escalations | gate violations | seconds |
|---:|---:|---:|---:|---:|---:|
| ${fmt(f.failing)} | ${fmt(f.acted)} | ${fmt(f.blocked)} | ${f.stormIncidents} | **${f.gateViolations}** | ${fmt(f.seconds, 2)} |

Goal: under 10 s with 0 gate violations.
`;
}

function filterSection(w: FilterWorkload, figures: FilterFigures[]): string {
  const rows = figures
    .map((f) => `| ${f.query} | ${fmt(f.prodengMatches)} / ${fmt(f.alertmanagerMatches)} | ${fmt(f.prodengFirstPageP50Ms, 1)} / ${fmt(f.prodengFirstPageP99Ms, 1)} | ${fmt(f.prodengAllPagesP50Ms, 1)} (${f.prodengRequestsForAll}) | ${fmt(f.alertmanagerP50Ms, 1)} / ${fmt(f.alertmanagerP99Ms, 1)} | ${fmt(f.alertmanagerP50Ms / f.prodengAllPagesP50Ms, 2)} |`)
    .join('\n');
  return `## intake: filtering alerts by label

${fmt(w.alerts)} stored alerts (the intake benchmark's bodies), then each filter asked ${w.repeats} times of prodeng (\`GET /api/v1/alerts?match[]=…\`, embedded SQLite) and of Alertmanager (\`GET /api/v2/alerts?filter=…\`, in memory), one after the other in the same run. prodeng examines at most 10,000 alert ids per request (= and != in SQL, regexes on RE2 in the process) and returns a cursor; "all pages" follows the cursor with pages of 1,000 until it is null, which is the whole answer Alertmanager gives in one reply. Before this change one filtered request read every alert into the process (2.8 s at 130,000 alerts, issue 12).

Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

| filter | matches prodeng / Alertmanager | prodeng first page p50 / p99 (ms) | prodeng all pages p50 (ms) (requests) | Alertmanager p50 / p99 (ms) | ratio Alertmanager / prodeng all pages (p50) |
|---|---:|---:|---:|---:|---:|
${rows}

A ratio above 1 means prodeng's whole answer came sooner than Alertmanager's; a single prodeng request is bounded whatever the filter (\`(a+)+b\` included).
`;
}

const which = process.argv[2] ?? 'intake';
if (which === 'slo') {
  const n = Number(process.env.BENCH_SLOS ?? 1000);
  const runs: SloEvaluationFigures[] = [await sloEvaluationBench(n)];
  if (process.env.DATABASE_URL) runs.push(await sloEvaluationBench(n, process.env.DATABASE_URL));
  for (const f of runs) console.log(`${f.store}: ${f.slos} SLOs in ${fmt(f.cpuMsPerTick)} ms of CPU a pass${f.databaseCpuMsPerTick !== undefined ? ` + ${fmt(f.databaseCpuMsPerTick)} ms of PostgreSQL` : ''} (${fmt(f.coreShare * 100, 2)}% of a core at one pass a minute)`);
  writeSection('slo: evaluation cost', sloSection(runs));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'alert-filter') {
  const w: FilterWorkload = {
    alerts: Number(process.env.BENCH_ALERTS ?? 130_000),
    repeats: 20,
    queries: [
      { label: '`instance="host-4242:9100"` (one alert)', matcher: 'instance="host-4242:9100"' },
      { label: '`alertname="Nope"` (none)', matcher: 'alertname="Nope"' },
      { label: '`instance=~"host-12.*"` (regex)', matcher: 'instance=~"host-12.*"' },
      { label: '`instance=~"(a+)+b"` (backtracking elsewhere)', matcher: 'instance=~"(a+)+b"' },
    ],
  };
  const figures = await alertFilterBench(repoRoot, w);
  for (const f of figures) console.log(`${f.query}: prodeng first page p50 ${fmt(f.prodengFirstPageP50Ms, 1)} ms, all ${fmt(f.prodengAllPagesP50Ms, 1)} ms in ${f.prodengRequestsForAll} requests (${f.prodengMatches} matches); Alertmanager p50 ${fmt(f.alertmanagerP50Ms, 1)} ms (${f.alertmanagerMatches} matches)`);
  writeSection('intake: filtering alerts by label', filterSection(w, figures));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'console') {
  const load = loadavg()[0] ?? NaN;
  const c = await consoleLiveUpdates(repoRoot, {
    streams: 100,
    alerts: 2000,
    perSecond: 50,
    idleSeconds: 20,
    idleSlices: 4,
    throughput: { alerts: 100_000, batchSize: 100, senders: 8, seconds: 4 },
    throughputRounds: 2,
  });
  const t = c.throughput;
  console.log(`live: ${fmt(c.pairs - c.missed)}/${fmt(c.pairs)} (alert, stream) pairs, ${c.missed} missed, p50 ${fmt(c.p50Ms)} ms, p99 ${fmt(c.p99Ms)} ms, max ${fmt(c.maxMs)} ms`);
  console.log(`cost: ${fmt(c.cpuShareStreams * 100, 1)}% of a core with ${c.streams} idle streams, ${fmt(c.cpuShareNoStreams * 100, 1)}% with none`);
  console.log(`intake: ${fmt(t.alertsPerSecondStreams)} alerts/s with ${c.streams} streams, ${fmt(t.alertsPerSecondNoStreams)} with none (ratio ${fmt(t.alertsPerSecondStreams / t.alertsPerSecondNoStreams, 2)})`);
  writeSection('console: live updates', consoleSection(c, load));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'oncall') {
  const p = await pagingLatency(repoRoot, 1000);
  console.log(`paging: ${p.delivered}/${p.incidents} delivered, p50 ${fmt(p.p50Ms)} ms, p99 ${fmt(p.p99Ms)} ms; on-call lookup p50 ${fmt(p.lookupP50Us)} µs, p99 ${fmt(p.lookupP99Us)} µs`);
  writeSection('on-call: page latency and on-call lookup', pagingSection(p));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'fleet') {
  const r = await fleetReplacement(repoRoot, 50);
  console.log(`replacement: ${r.replaced}/${r.crashes} replaced; crash to serving p50 ${fmt(r.crashToServingP50)} ms, p99 ${fmt(r.crashToServingP99)} ms; failure threshold to serving p50 ${fmt(r.thresholdToServingP50)} ms, p99 ${fmt(r.thresholdToServingP99)} ms`);
  writeSection('fleet: crash to replacement serving', replacementSection(r));
  const p = await probeOverhead(repoRoot, { targets: 5000, intervalMs: 10_000, seconds: 60 });
  console.log(`probes: ${p.targets} targets every ${p.intervalMs / 1000} s, ${fmt(p.checksPerSecond)} checks/s, ${fmt(p.cpuShare * 100, 1)}% of a core (idle ${fmt(p.idleCpuShare * 100, 1)}%), ${p.missedDeadlines} missed deadlines`);
  writeSection('fleet: probe scheduling overhead', probeSection(p));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'remediation') {
  const l = await remediationLatency(repoRoot, { backgroundPerSecond: 10_000, seconds: 10, probesPerSecond: 50 });
  console.log(`latency: p50 ${fmt(l.p50Ms, 1)} ms, p99 ${fmt(l.p99Ms, 1)} ms, max ${fmt(l.maxMs, 1)} ms over ${l.samples} samples (${l.missing} missing), background ${fmt(l.backgroundAchieved)} alerts/s`);
  writeSection('remediation: time to first action', latencySection(l));
  const f = await remediationWave({ hosts: 10_000, clusters: 100, failingShare: 0.05, maxPerCluster: 3 });
  console.log(`wave: ${f.failing} failing, ${f.acted} acted on, ${f.blocked} blocked, ${f.stormIncidents} storm escalations, ${f.gateViolations} gate violations, ${fmt(f.seconds, 2)} s`);
  writeSection('remediation: failure wave', waveSection(f));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'lab-faults') {
  const f = await labFaultMix(repoRoot, { seed: Number(process.env.BENCH_SEED ?? 13), perKind: 3, spacingMs: 5000, pauseMs: 15_000, duringPause: 2, settleMs: 120_000 });
  for (const [kind, c] of Object.entries(f.byKind)) console.log(`${kind}: ${c.healed} healed, ${c.incident} handed to a human, ${c.neither} neither`);
  console.log(`healed without a human: ${f.healed} of ${f.faults.length}; neither: ${f.neither}`);
  writeSection('lab: fault mix', labFaultsSection(f, `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'chaos-proxy') {
  const f = await chaosProxyBench({ rate: 1000, secondsPerRound: 3, rounds: 10 });
  console.log(`direct p50 ${fmt(f.direct.p50Ms, 3)} ms, p99 ${fmt(f.direct.p99Ms, 3)} ms; through the proxy p50 ${fmt(f.proxied.p50Ms, 3)} ms, p99 ${fmt(f.proxied.p99Ms, 3)} ms; added p50 ${fmt(f.addedP50Ms, 3)} ms, p99 ${fmt(f.addedP99Ms, 3)} ms`);
  writeSection('chaos: fault proxy overhead', chaosProxySection(f, `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'scorecard') {
  const f = await scorecardBench({ services: 1000, checks: 100, runs: 5, postgresUrl: process.env.DATABASE_URL || undefined });
  for (const x of f) console.log(`${x.store}: ${x.services} services × ${x.checks} checks, median ${fmt(x.medianMs)} ms (runs ${x.runsMs.map((r) => fmt(r)).join(', ')})`);
  writeSection('catalog: scorecard evaluation', scorecardSection(f, `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'chaos-sweep') {
  const f = await chaosSweepBench(repoRoot, { sweeps: Number(process.env.BENCH_SWEEPS ?? 2) });
  console.log(`sweeps: ${f.sweeps.map((s) => `${s.status} in ${fmt(s.durationMs / 1000, 1)} s`).join(', ')}; identical: ${f.identical}`);
  writeSection('chaos: critical-path sweep', chaosSweepSection(f, `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which === 'cluster') {
  const f = await clusterBench(repoRoot, { rounds: Number(process.env.BENCH_ROUNDS ?? 3), loadRate: 20 });
  for (const r of f.rounds) console.log(`turn-up ${fmt(r.turnUpMs / 1000, 1)} s, migrate ${fmt(r.migrateMs / 1000, 1)} s, back ${fmt(r.migrateBackMs / 1000, 1)} s, down ${fmt(r.turnDownMs / 1000, 1)} s; failed requests: ${r.duringTurnUp.failed} during turn-up, ${r.duringMoves.failed} of ${r.duringMoves.sent} during the moves, ${r.duringTurnDown.failed} during turn-down`);
  writeSection('fleet: cluster turn-up and migration', clusterSection(f, `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`));
  console.log(`written to ${docPath}`);
  process.exit(0);
}
if (which !== 'intake') {
  console.error(`unknown benchmark "${which}"; available: intake, alert-filter, remediation, fleet, oncall, console, lab-faults, slo, chaos-proxy, chaos-sweep, scorecard, cluster`);
  process.exit(2);
}
const workload: IntakeWorkload = {
  alerts: Number(process.env.BENCH_ALERTS ?? 100_000),
  batchSize: 100,
  senders: 8,
  steadyOpen: Number(process.env.BENCH_STEADY_OPEN ?? 20_000),
  resends: 5,
};
// PostgreSQL is measured where a server is named (DATABASE_URL), as the tests do.
const postgresUrl = process.env.DATABASE_URL || undefined;
if (!postgresUrl) console.warn('DATABASE_URL is not set: prodeng on PostgreSQL is not measured');
const figures = await intakeBench(repoRoot, workload, postgresUrl);
for (const f of figures) console.log(`${f.workload} ${f.target}: ${fmt(f.alertsPerSecond)} alerts/s, ${fmt(f.seconds, 2)} s, p99 ${fmt(f.p99BatchMs, 1)} ms, peak RSS ${fmt(f.peakRssMiB, 1)} MiB`);
writeSection('intake', intakeSection(workload, figures));
console.log(`written to ${docPath}`);
