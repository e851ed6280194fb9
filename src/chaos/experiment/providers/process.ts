import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { identify, killGroup, trackGroup, untrackGroup, type ProcessIdentity } from '../../../actions/processGroups.js';
import { splitArguments } from '../argv.js';
import { isMapping, pyStr } from '../pyValues.js';
import type { ProcessProvider } from '../schema.js';
import { substitute } from '../substitute.js';
import { abortedError, ActivityFailed, type ProviderContext } from './context.js';

export interface ProcessOutput {
  /** the exit code; minus the signal's number when a signal ended it (as Python reports it) */
  status: number;
  stdout: string;
  stderr: string;
}

const MAX_OUTPUT = 1024 * 1024;
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Where `path` is, as shutil.which finds it: a path with a slash as it is, a bare name on PATH. */
export function findProgram(path: string, searchPath: string): string | undefined {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (expanded.includes('/')) {
    const full = isAbsolute(expanded) ? expanded : resolve(expanded);
    return executable(full) ? full : undefined;
  }
  for (const dir of searchPath.split(delimiter)) if (dir !== '' && executable(join(dir, expanded))) return join(dir, expanded);
  return undefined;
}

/** argv after the program: a list as it is (empty and null entries dropped, as Chaos Toolkit does), a mapping as key, value pairs, a string split without a shell. */
export function processArguments(provider: ProcessProvider, ctx: Pick<ProviderContext, 'lookup'>): string[] {
  const given = provider.arguments;
  if (given === undefined) return [];
  let items: unknown[];
  if (typeof given === 'string') {
    // split first, then fill in each word: a value with blanks stays one argument
    const split = splitArguments(given);
    if ('error' in split) throw new ActivityFailed(`the arguments string ${split.error}`);
    items = split.argv.map((word) => substitute(word, ctx.lookup));
  } else if (isMapping(given)) items = Object.entries(substitute(given, ctx.lookup)).flat();
  else items = substitute(given, ctx.lookup);
  return items.filter((p) => p !== null && p !== undefined && p !== '').map(pyStr);
}

/** PATH, and the configuration and secret values the activity names, by their names; nothing of prodeng's own environment. */
export function processEnvironment(ctx: Pick<ProviderContext, 'values' | 'names'>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? DEFAULT_PATH };
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  for (const key of ctx.names.configuration) if (key in ctx.values.configuration) env[key] = text(ctx.values.configuration[key]);
  for (const scope of ctx.names.secrets) for (const [k, v] of Object.entries(ctx.values.secrets[scope] ?? {})) env[k] = v;
  return env;
}

class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;
  add(c: Buffer): void {
    const room = MAX_OUTPUT - this.size;
    if (room > 0) {
      this.chunks.push(c.subarray(0, room));
      this.size += Math.min(room, c.length);
    }
    this.dropped += Math.max(0, c.length - Math.max(room, 0));
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${s}\n… (${this.dropped} more bytes not kept)` : s;
  }
}

/**
 * Chaos Toolkit's process provider, without a shell: the program and its
 * argv go straight to the kernel, in a process group of its own that the
 * timeout (or an interruption) kills entirely. A tolerance probe gets the
 * output it judges as JSON on its standard input.
 */
export function runProcess(provider: ProcessProvider, ctx: ProviderContext): Promise<ProcessOutput> {
  const env = processEnvironment(ctx);
  const program = findProgram(provider.path, env.PATH as string);
  if (!program) return Promise.reject(new ActivityFailed(`path '${provider.path}' cannot be found, in activity '${ctx.activity}'`));
  const argv = processArguments(provider, ctx);
  if (ctx.signal.aborted) return Promise.reject(abortedError(ctx.signal));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, argv, { shell: false, detached: true, env, stdio: [ctx.value ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const leader: ProcessIdentity | undefined = child.pid === undefined ? undefined : identify(child.pid);
    if (leader) trackGroup(leader);
    const stdout = new Capped();
    const stderr = new Capped();
    child.stdout?.on('data', (c: Buffer) => stdout.add(c));
    child.stderr?.on('data', (c: Buffer) => stderr.add(c));
    if (ctx.value && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(ctx.value.output ?? null));
    }
    let why: 'timeout' | 'aborted' | undefined;
    const kill = (reason: 'timeout' | 'aborted') => {
      why ??= reason;
      if (leader) killGroup(leader);
      else child.kill('SIGKILL');
    };
    const timer = provider.timeout === undefined ? undefined : setTimeout(() => kill('timeout'), provider.timeout * 1000);
    const onAbort = () => kill('aborted');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (leader) untrackGroup(leader.pid);
    };
    child.once('error', (err) => {
      if (settled) return;
      finish();
      reject(new ActivityFailed(`could not start ${provider.path}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      finish();
      if (why === 'timeout') return reject(new ActivityFailed(`process activity took too long to complete (timeout ${provider.timeout}s): killed`));
      if (why === 'aborted') return reject(abortedError(ctx.signal));
      resolvePromise({ status: code ?? -(SIGNALS[signal ?? ''] ?? 1), stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}
