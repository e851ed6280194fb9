import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { childEnvironment } from '../../actions/exec.js';
import { isRunning, processPlace, processStartTime } from '../../actions/processGroups.js';
import type { ProvidedHost, Provider, Provisioned, ProvisionRequest } from './provider.js';
import { ProviderError } from './provider.js';

interface Running {
  child: ChildProcess;
  argv: string[];
  port: number;
  dataDir: string;
}

/** A port nothing listens on right now, on loopback. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A host is a process on this machine, on a free loopback port, with its own
 * data directory. Processes belong to this prodeng process: they stop with
 * it, and after a restart their hosts are known to be gone.
 */
export class LocalProcessProvider implements Provider {
  readonly type = 'local-process';
  private running = new Map<string, Running>();

  constructor(
    private spec: { argv: string[]; env: Record<string, string>; passEnv?: string[] },
    private dataRoot: string,
    /** filled in by the server: prodengUrl (once listening), node, shopService */
    private runtimeVars: Record<string, string> = {},
  ) {}

  // own properties only: `{{ constructor }}` is not a variable
  private render(value: string, vars: Record<string, string>): string {
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : m));
  }

  private start(host: string, port: number, dataDir: string): Running {
    mkdirSync(dataDir, { recursive: true });
    const vars = { ...this.runtimeVars, port: String(port), dataDir, host };
    const argv = this.spec.argv.map((a) => this.render(a, vars));
    // PATH, what the pool declares and the variables it names in passEnv, never the rest of prodeng's environment (its tokens, DATABASE_URL, SMTP credentials)
    const env = { ...childEnvironment(this.spec.passEnv), ...Object.fromEntries(Object.entries(this.spec.env).map(([k, v]) => [k, this.render(v, vars)])) };
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
    child.on('error', () => undefined); // reported by the exit check below
    const running = { child, argv, port, dataDir };
    this.running.set(host, running);
    return running;
  }

  async provision(req: ProvisionRequest): Promise<Provisioned> {
    const port = await freeLoopbackPort();
    const dataDir = join(this.dataRoot, req.host);
    const running = this.start(req.host, port, dataDir);
    await new Promise((r) => setTimeout(r, 50));
    if (running.child.exitCode !== null) throw new ProviderError(`${running.argv[0]} exited at once with ${running.child.exitCode} for ${req.host}`);
    // pid, start time and where it runs: enough for a later prodeng to tell this process from one that reused its pid
    return { address: `127.0.0.1:${port}`, ref: `${running.child.pid}:${processStartTime(running.child.pid!) ?? ''}@${processPlace()}` };
  }

  /**
   * A child of a prodeng that was killed (SIGKILL leaves no time to stop
   * children) runs on as an orphan. It is stopped only when its ref names
   * this very process here: same pid, start time, boot and pid namespace.
   */
  async stopOrphan(host: ProvidedHost): Promise<string | null> {
    const m = /^(\d+):(\d+)@(.+)$/.exec(host.ref ?? '');
    if (!m || m[3] !== processPlace() || this.running.has(host.name)) return null;
    const orphan = { pid: Number(m[1]), startTime: m[2]! };
    if (!isRunning(orphan)) return null;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(orphan.pid, s);
      } catch {
        // gone meanwhile
      }
    };
    signal('SIGTERM');
    for (let waited = 0; waited < 3000 && isRunning(orphan); waited += 100) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(orphan)) signal('SIGKILL');
    return `stopped pid ${orphan.pid}, left running by the previous prodeng run`;
  }

  holds(host: ProvidedHost): boolean {
    const r = this.running.get(host.name);
    return !!r && r.child.exitCode === null && r.child.signalCode === null;
  }

  private mustRun(host: ProvidedHost): Running {
    const r = this.running.get(host.name);
    if (!r) throw new ProviderError(`${host.name} is not a process this prodeng started (it was lost when prodeng restarted)`);
    return r;
  }

  async reboot(host: ProvidedHost): Promise<string> {
    const r = this.mustRun(host);
    await stopChild(r.child);
    const again = this.start(host.name, r.port, r.dataDir);
    return `restarted ${host.name} (pid ${again.child.pid}) on port ${r.port}`;
  }

  async repair(host: ProvidedHost): Promise<string> {
    const r = this.mustRun(host);
    await stopChild(r.child);
    // A fresh image: whatever filled or broke the data directory goes.
    rmSync(r.dataDir, { recursive: true, force: true });
    const again = this.start(host.name, r.port, r.dataDir);
    return `reimaged ${host.name}: fresh data directory, restarted (pid ${again.child.pid})`;
  }

  async decommission(host: ProvidedHost): Promise<string> {
    const r = this.running.get(host.name);
    if (r) {
      await stopChild(r.child);
      rmSync(r.dataDir, { recursive: true, force: true });
      this.running.delete(host.name);
    }
    return `stopped ${host.name} and removed its data`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => stopChild(r.child)));
    this.running.clear();
  }
}
