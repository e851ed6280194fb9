import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../src/fleet/providers/localProcess.js';
import { percentile as nearestRank } from '../src/reports/teamReports.js';

export interface Target {
  name: string;
  url: string;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export const freePort = freeLoopbackPort;

/** The value at quantile `p` (0..1) of `values`, by the reports' nearest-rank rule; NaN for none. The input is not changed. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return nearestRank(Array.from(values).sort((a, b) => a - b), p) ?? NaN;
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** utime + stime of a process, in seconds, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** One unlabelled sample of a server's /metrics, 0 when absent. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** A monotonic clock in milliseconds that all threads of this process share (performance.now() starts anew in each worker). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Peak resident set size of a process, from the kernel's high-water mark. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after 30s:\n${log()}`);
}

export async function startProdeng(repoRoot: string, dataDir: string, extraArgs: string[] = [], opts: { databaseUrl?: string; name?: string } = {}): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'serve', '--data', dataDir, '--port', String(port), ...extraArgs], {
    env: { ...process.env, DATABASE_URL: opts.databaseUrl ?? '', PRODENG_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, child, () => log);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return { name: opts.name ?? 'prodeng (SQLite)', url, pid: child.pid!, version: `prodeng ${pkg.version}, Node ${process.version}`, stop: stopper(child) };
}

export function alertmanagerBinary(): string | null {
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  }
  return null;
}

export async function startAlertmanager(binary: string, dir: string): Promise<Target> {
  const port = await freePort();
  writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  const child = spawn(
    binary,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/-/ready`, child, () => log);
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const v = /version (\S+)/.exec(`${version.stdout}${version.stderr}`)?.[1] ?? 'unknown';
  return { name: 'Alertmanager', url, pid: child.pid!, version: `Alertmanager ${v}`, stop: stopper(child) };
}
