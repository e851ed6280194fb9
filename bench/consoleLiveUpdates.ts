import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { batches, drive, type StormWorkload } from './intakeBench.js';
import { cpuSeconds, metric, monotonicMs, percentile, startProdeng, type Target } from './peers.js';
import { startStreamClients, type StreamClients } from './consoleStreams.js';

export interface ConsoleOptions {
  streams: number;
  /** live latency: alerts posted one per request at `perSecond` */
  alerts: number;
  perSecond: number;
  /** CPU is measured over this long in all with the streams open and idle, and as long with none, in `idleSlices` slices each, alternated */
  idleSeconds: number;
  idleSlices: number;
  /** intake throughput with and without streams: alerts posted as the intake benchmark does for `seconds` a run (`alerts` bounds a run) */
  throughput: StormWorkload & { seconds: number };
  /** runs of each kind, alternated (none, streams, none, streams, …) */
  throughputRounds: number;
}

export interface ConsoleFigures {
  streams: number;
  alerts: number;
  perSecondTarget: number;
  perSecondAchieved: number;
  pollIntervalMs: number;
  /** (alert, stream) pairs: delivered ones and missing ones */
  pairs: number;
  missed: number;
  /** streams that ended during the measurements without being asked to */
  dropped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
  /** how long the posts themselves took (context) */
  postP50Ms: number;
  postP99Ms: number;
  idleSeconds: number;
  idleSlices: number;
  /** CPU of the prodeng process as a share of one core, streams open and idle, and none open */
  cpuShareStreams: number;
  cpuShareNoStreams: number;
  throughput: StormWorkload & {
    seconds: number;
    rounds: number;
    /** alerts accepted per run, on average */
    alertsPerRunNoStreams: number;
    alertsPerRunStreams: number;
    alertsPerSecondNoStreams: number;
    alertsPerSecondStreams: number;
    /** from the last 2xx of a run with streams until every stream had all of its alert events (worst run) */
    catchUpMs: number;
    /** streams the server cut off during those runs (too far behind) */
    cut: number;
    /** CPU of the prodeng process per 1,000 alerts, from the first post until a second after the last 2xx, or after the last stream had every event */
    serverCpuMsPer1000NoStreams: number;
    serverCpuMsPer1000Streams: number;
  };
}

const EVENTS = '/api/v1/events';

async function post(url: string, alerts: unknown[]): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`intake answered ${res.status}`);
}

/** Ids of the alerts labelled run=`run`, by their instance label, read back from the API after the run. */
async function alertIdsByInstance(url: string, run: string): Promise<Map<string, number>> {
  const byInstance = new Map<string, number>();
  let before: number | null = null;
  do {
    const q = new URLSearchParams({ 'match[]': `{run="${run}"}`, limit: '1000' });
    if (before !== null) q.set('before', String(before));
    const res = await fetch(`${url}/api/v1/alerts?${q}`);
    if (!res.ok) throw new Error(`GET /api/v1/alerts answered ${res.status}`);
    const page = (await res.json()) as { alerts: { id: number; labels: Record<string, string> }[]; nextCursor: number | null };
    for (const a of page.alerts) byInstance.set(a.labels.instance!, a.id);
    before = page.nextCursor;
  } while (before !== null);
  return byInstance;
}

/** Opens `count` streams and checks that the server counts them and polls. */
async function openStreams(clients: StreamClients, prodeng: Target, count: number): Promise<{ pollIntervalMs: number }> {
  const opened = await clients.open(`${prodeng.url}${EVENTS}`, count);
  const open = await metric(prodeng.url, 'prodeng_event_streams');
  const polling = await metric(prodeng.url, 'prodeng_change_feed_polling');
  if (open !== count || polling !== 1) throw new Error(`expected ${count} streams and the poller running, the server reports ${open} and polling=${polling}`);
  return opened;
}

async function closeStreams(clients: StreamClients, prodeng: Target): Promise<void> {
  await clients.close();
  // The server notices the closed sockets, and the poller stops with the last one.
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    if ((await metric(prodeng.url, 'prodeng_event_streams')) === 0 && (await metric(prodeng.url, 'prodeng_change_feed_polling')) === 0) return;
    await sleep(100);
  }
  throw new Error('the server still counts open streams or polls after every client left');
}

/** CPU seconds a process used over `seconds` of wall time, and the wall time measured. */
async function cpuOver(pid: number, seconds: number): Promise<{ seconds: number; wall: number }> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return { seconds: cpuSeconds(pid) - cpu0, wall: (performance.now() - t0) / 1000 };
}

/** Waits until every open stream has `expected` events (by `pick`), or `ms` pass; returns when, on the monotonic clock. */
async function waitForStreams(clients: StreamClients, pick: 'minAlertEvents' | 'minRecorded', expected: number, ms: number): Promise<number | null> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const progress = await clients.progress();
    if (progress[pick] >= expected) return monotonicMs();
    await sleep(20);
  }
  return null;
}

/**
 * The console's live updates: GET /api/v1/events with `streams` clients
 * open, against prodeng as its own process on embedded SQLite.
 * 1. latency from an alert's 2xx to each stream receiving its `alert` event;
 * 2. the server's CPU with the streams open and idle, and with none open;
 * 3. intake throughput with the streams open and with none.
 */
export async function consoleLiveUpdates(repoRoot: string, opts: ConsoleOptions): Promise<ConsoleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-console-'));
  const prodeng = await startProdeng(repoRoot, join(dir, 'data'));
  const clients = startStreamClients();
  const intake = `${prodeng.url}/api/v2/alerts`;
  try {
    // Warm-up, before any stream: the poller starts at the newest row, so none of this is streamed.
    await drive(prodeng, batches({ ...opts.throughput, alerts: 20 * opts.throughput.batchSize }, 'warmup'), opts.throughput.senders);

    // 1. Live latency.
    const { pollIntervalMs } = await openStreams(clients, prodeng, opts.streams);
    await clients.phase(true);
    const run = `console-${Date.now()}`;
    const acked = new Map<string, number>();
    const postMs: number[] = [];
    const posts: Promise<void>[] = [];
    const start = performance.now();
    for (let k = 0; k < opts.alerts; k++) {
      const instance = `console-${k}`;
      const t0 = performance.now();
      posts.push(
        post(intake, [{ labels: { alertname: 'ConsoleBench', instance, job: 'bench', run }, annotations: { summary: `console benchmark alert ${k}` } }]).then(() => {
          acked.set(instance, monotonicMs());
          postMs.push(performance.now() - t0);
        }),
      );
      await sleep(Math.max(0, start + ((k + 1) * 1000) / opts.perSecond - performance.now()));
    }
    await Promise.all(posts);
    const postSeconds = (performance.now() - start) / 1000;
    await waitForStreams(clients, 'minRecorded', opts.alerts, 10_000);
    const recording = await clients.collect();

    // Correlation: each alert has its own instance label; its id comes from the store afterwards.
    const ids = await alertIdsByInstance(prodeng.url, run);
    if (ids.size !== opts.alerts) throw new Error(`expected ${opts.alerts} alerts labelled run=${run}, the API lists ${ids.size}`);
    const latencies: number[] = [];
    let missed = 0;
    for (const stream of recording) {
      const receivedAt = new Map(stream.alertIds.map((id, i) => [id, stream.receivedAt[i]!]));
      for (const [instance, id] of ids) {
        const at = receivedAt.get(id);
        if (at === undefined) missed++;
        else latencies.push(at - acked.get(instance)!);
      }
    }

    // 2. Cost of open, idle streams (the poller, heartbeats) against none, in alternated slices so that the
    // server's own periodic work and other load on the machine fall on both alike.
    await clients.phase(false);
    const cpu = { streams: 0, none: 0, wall: 0 };
    let dropped = 0;
    for (let slice = 0; slice < opts.idleSlices; slice++) {
      if (slice > 0) await openStreams(clients, prodeng, opts.streams);
      await sleep(500);
      const open = await cpuOver(prodeng.pid, opts.idleSeconds / opts.idleSlices);
      dropped += (await clients.progress()).dropped;
      await closeStreams(clients, prodeng);
      await sleep(500);
      const none = await cpuOver(prodeng.pid, opts.idleSeconds / opts.idleSlices);
      cpu.streams += open.seconds;
      cpu.none += none.seconds;
      cpu.wall += open.wall;
    }

    // 3. Intake throughput, none and streams alternated so that neither gets the emptier database.
    // Each run posts for a fixed time, long enough for the fan-out to run beside intake rather than after it.
    const rates = { none: [] as number[], streams: [] as number[] };
    const accepted = { none: 0, streams: 0 };
    const cpuMs = { none: 0, streams: 0 };
    let catchUpMs = 0;
    let cut = 0;
    for (let round = 0; round < opts.throughputRounds; round++) {
      for (const kind of ['none', 'streams'] as const) {
        if (kind === 'streams') {
          await openStreams(clients, prodeng, opts.streams);
          await clients.phase(false);
        }
        const bodies = batches(opts.throughput, `throughput-${round}-${kind}-${Date.now()}`);
        const cpu0 = cpuSeconds(prodeng.pid);
        const { seconds, posted } = await drive(prodeng, bodies, opts.throughput.senders, opts.throughput.seconds * 1000);
        const alerts = posted * opts.throughput.batchSize;
        if (posted === bodies.length) throw new Error(`a throughput run used up its ${opts.throughput.alerts} alerts before ${opts.throughput.seconds} s; give it more`);
        rates[kind].push(alerts / seconds);
        accepted[kind] += alerts;
        if (kind === 'streams') {
          const lastAck = monotonicMs();
          const caughtUp = await waitForStreams(clients, 'minAlertEvents', alerts, 30_000);
          catchUpMs = Math.max(catchUpMs, caughtUp === null ? Infinity : caughtUp - lastAck);
          cut += (await clients.progress()).dropped;
        }
        // Work intake left for later (e.g. downstream queues) counts in both kinds.
        await sleep(1000);
        cpuMs[kind] += (cpuSeconds(prodeng.pid) - cpu0) * 1000;
        if (kind === 'streams') await closeStreams(clients, prodeng);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    return {
      streams: opts.streams,
      alerts: opts.alerts,
      perSecondTarget: opts.perSecond,
      perSecondAchieved: opts.alerts / postSeconds,
      pollIntervalMs,
      pairs: opts.alerts * opts.streams,
      missed,
      dropped,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: percentile(latencies, 1),
      minMs: percentile(latencies, 0),
      postP50Ms: percentile(postMs, 0.5),
      postP99Ms: percentile(postMs, 0.99),
      idleSeconds: cpu.wall,
      idleSlices: opts.idleSlices,
      cpuShareStreams: cpu.streams / cpu.wall,
      cpuShareNoStreams: cpu.none / cpu.wall,
      throughput: {
        ...opts.throughput,
        rounds: opts.throughputRounds,
        alertsPerRunNoStreams: accepted.none / opts.throughputRounds,
        alertsPerRunStreams: accepted.streams / opts.throughputRounds,
        alertsPerSecondNoStreams: mean(rates.none),
        alertsPerSecondStreams: mean(rates.streams),
        catchUpMs,
        cut,
        serverCpuMsPer1000NoStreams: cpuMs.none / (accepted.none / 1000),
        serverCpuMsPer1000Streams: cpuMs.streams / (accepted.streams / 1000),
      },
    };
  } finally {
    await clients.terminate();
    await prodeng.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
