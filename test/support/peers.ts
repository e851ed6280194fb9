import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../../bench/peers.js';

export { freePort };

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export interface Peer {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A real peer process (Prometheus, Alertmanager), its output kept for failure messages. */
export function startPeer(command: string, args: string[]): Peer {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return {
    child,
    output: () => log.slice(-4000),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, explain?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const prometheusBinary = 'prometheus';
export const alertmanagerBinary = hasBinary('prometheus-alertmanager') ? 'prometheus-alertmanager' : 'alertmanager';
