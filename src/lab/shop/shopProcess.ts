/**
 * Starts a shop service as a child process and waits until it listens. Run from the
 * TypeScript sources (tests), it runs shopService.ts through tsx; run from dist, the built
 * shopService.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ShopServiceName } from './services.js';
import { childEnvironment } from '../../actions/exec.js';

export interface ShopProcessOptions {
  service: ShopServiceName;
  dataDir: string;
  /** 0 (the default) lets the service pick a free port. */
  port?: number;
  /** Fixed endpoints per dependency: `--dep name=url1,url2`. */
  dependencies?: Partial<Record<ShopServiceName, string[]>>;
  discoveryUrl?: string;
  hostName?: string;
  diskQuotaBytes?: number;
  /** `--max-rss-mb`: healthz fails above this much resident memory */
  maxRssMb?: number;
  adminToken?: string;
  /** `--version`: the release it runs (releases.ts) */
  version?: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export interface ShopProcess {
  service: ShopServiceName;
  hostName: string;
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** The exit code, or the signal's name when a signal ended it. */
  exited: Promise<number | NodeJS.Signals>;
  /** The end of what it wrote, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (a hung process ignores SIGTERM). */
  stop(graceMs?: number): Promise<number | NodeJS.Signals>;
  kill(): Promise<number | NodeJS.Signals>;
}

/** The command that runs shopService beside this module: node [--import tsx] shopService.{ts,js}. */
export function shopServiceCommand(): { command: string; args: string[]; cwd?: string } {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./shopService.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  // `--import tsx` resolves from the working directory: the repository root, three levels up.
  return fromSource
    ? { command: process.execPath, args: ['--import', 'tsx', entry], cwd: fileURLToPath(new URL('../../../', import.meta.url)) }
    : { command: process.execPath, args: [entry] };
}

export function shopServiceArgs(options: ShopProcessOptions): string[] {
  const args = ['--service', options.service, '--port', String(options.port ?? 0), '--data', options.dataDir];
  for (const [name, urls] of Object.entries(options.dependencies ?? {})) args.push('--dep', `${name}=${urls.join(',')}`);
  if (options.discoveryUrl) args.push('--discovery', options.discoveryUrl);
  if (options.hostName) args.push('--host-name', options.hostName);
  if (options.diskQuotaBytes !== undefined) args.push('--disk-quota', String(options.diskQuotaBytes));
  if (options.maxRssMb !== undefined) args.push('--max-rss-mb', String(options.maxRssMb));
  if (options.adminToken) args.push('--admin-token', options.adminToken);
  if (options.version) args.push('--version', options.version);
  return args;
}

export function startShopProcess(options: ShopProcessOptions): Promise<ShopProcess> {
  const { command, args, cwd } = shopServiceCommand();
  const child = spawn(command, [...args, ...shopServiceArgs(options)], { cwd, env: options.env ?? childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let stdoutLine = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'SIGKILL')));
  const end = (signal: NodeJS.Signals, graceMs: number): Promise<number | NodeJS.Signals> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
    }
    return exited;
  };

  return new Promise((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.service}: ${why}\n${log}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${timeoutMs} ms`), timeoutMs);
    void exited.then((how) => fail(`exited (${how}) before it listened`));
    child.stdout!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8000);
      if (settled) return;
      stdoutLine += d.toString();
      // Only whole lines: a chunk may end mid-line.
      const line = stdoutLine.split('\n').slice(0, -1).find((l) => l.includes('"event":"listening"'));
      if (!line) return;
      settled = true;
      clearTimeout(timer);
      const ready = JSON.parse(line) as { url: string; port: number; host: string };
      resolve({
        service: options.service,
        hostName: ready.host,
        url: ready.url,
        port: ready.port,
        pid: child.pid!,
        child,
        exited,
        output: () => log,
        stop: (graceMs = 2000) => end('SIGTERM', graceMs),
        kill: () => end('SIGKILL', 0),
      });
    });
  });
}
