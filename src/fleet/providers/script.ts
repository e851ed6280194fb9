import { spawn } from 'node:child_process';
import { z } from 'zod';
import { childEnvironment } from '../../actions/exec.js';
import type { ProvidedHost, Provider, Provisioned, ProvisionRequest } from './provider.js';
import { ProviderError } from './provider.js';

const MAX_OUTPUT = 64 * 1024;

const provisionAnswer = z.object({ address: z.string().regex(/^.+:\d+$/, 'must be host:port'), ref: z.string().nullable().optional() });
const plainAnswer = z.object({ message: z.string().optional() });

/**
 * The bridge to any cloud CLI: `PATH OPERATION` with one JSON request on
 * stdin; exit 0 and a JSON answer on stdout, or non-zero and a reason on
 * stderr. Arguments are an argv array: nothing reaches a shell.
 */
export class ScriptProvider implements Provider {
  readonly type = 'script';

  constructor(private spec: { path: string; timeout: number; env: string[] }) {}

  private call(operation: string, request: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.spec.path, [operation], { shell: false, env: childEnvironment(this.spec.env), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(0, MAX_OUTPUT)));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, MAX_OUTPUT)));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.spec.timeout);
      const onAbort = () => child.kill('SIGKILL');
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new ProviderError(`provider script ${this.spec.path}: ${err.message}`));
      });
      child.once('close', (code, sig) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (code !== 0) {
          const why = sig ? `killed (${sig}${signal.aborted ? ', cancelled' : ''})` : `exited with ${code}`;
          return reject(new ProviderError(`provider script ${this.spec.path} ${operation} ${why}: ${stderr.trim() || 'no message on stderr'}`));
        }
        try {
          resolve(stdout.trim() ? JSON.parse(stdout) : {});
        } catch {
          reject(new ProviderError(`provider script ${this.spec.path} ${operation} answered something that is not JSON: ${stdout.slice(0, 200)}`));
        }
      });
      // A script that exits without reading its request closes the pipe; its exit code tells the story.
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify({ operation, ...request }));
    });
  }

  async provision(req: ProvisionRequest, signal: AbortSignal): Promise<Provisioned> {
    const answer = provisionAnswer.safeParse(await this.call('provision', { ...req }, signal));
    if (!answer.success) throw new ProviderError(`provider script ${this.spec.path} provision: the answer needs {"address": "host:port"}: ${answer.error.issues[0]?.message}`);
    return { address: answer.data.address, ref: answer.data.ref ?? null };
  }

  private async plain(operation: string, host: ProvidedHost, signal: AbortSignal): Promise<string> {
    const answer = plainAnswer.safeParse(await this.call(operation, { host: host.name, pool: host.pool, address: host.address, ref: host.ref }, signal));
    return (answer.success && answer.data.message) || `${operation} ${host.name}: done by ${this.spec.path}`;
  }

  reboot(host: ProvidedHost, signal: AbortSignal) {
    return this.plain('reboot', host, signal);
  }
  repair(host: ProvidedHost, signal: AbortSignal) {
    return this.plain('repair', host, signal);
  }
  decommission(host: ProvidedHost, signal: AbortSignal) {
    return this.plain('decommission', host, signal);
  }
}
