import { spawn } from 'node:child_process';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { defineAction } from './action.js';
import { currentStepProcessWatch, identify, killGroup, trackGroup, untrackGroup, type ProcessIdentity } from './processGroups.js';

const MAX_OUTPUT_BYTES = 16 * 1024;

export const execParams = z
  .object({
    argv: z.array(z.string()).min(1, 'give the program and its arguments as a list, e.g. ["systemctl", "restart", "web"]'),
    timeout: durationSchema.default(30_000),
    cwd: z.string().optional(),
    /** environment variables to pass by name from prodeng's own environment (secrets stay out of the runbook) */
    env: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/)).optional(),
  })
  .strict();

/**
 * The environment of a command prodeng starts for a runbook, a probe or a
 * provider: PATH and the variables it names, nothing else. prodeng's own
 * environment holds its secrets (API tokens, DATABASE_URL, SMTP
 * credentials, integration keys); a child gets one only by name.
 */
export function childEnvironment(names: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const name of names) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/** Keeps the first bytes of a stream and counts what it dropped. */
class TruncatedOutput {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  add(chunk: Buffer): void {
    const room = MAX_OUTPUT_BYTES - this.kept;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${s}\n… (${this.dropped} more bytes not kept)` : s;
  }
}

/**
 * Runs a local program. The argv array goes straight to the kernel (no
 * shell), so a templated value is exactly one argument and its characters
 * (`;`, `$( )`, quotes) mean nothing. It runs in a process group of its
 * own: the timeout, a cancel and prodeng's exit kill the whole group
 * (whatever the command started too), and the step's runner hears of the
 * process (pid and start time) so it is recorded with the remediation.
 */
export const execAction = defineAction({
  name: 'exec',
  description: 'run a local command given as an argv array, with a timeout; exit code and output are kept',
  risk: 'disruptive',
  params: execParams,
  run(params, ctx) {
    return new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(params.argv[0] as string, params.argv.slice(1), { shell: false, detached: true, cwd: params.cwd, env: childEnvironment(params.env), stdio: ['ignore', 'pipe', 'pipe'] });
      const leader: ProcessIdentity | undefined = child.pid === undefined ? undefined : identify(child.pid);
      const watch = currentStepProcessWatch();
      let recorded: Promise<void> = Promise.resolve();
      if (leader) {
        trackGroup(leader);
        if (watch) recorded = watch.started(leader, { argv: params.argv, timeoutMs: params.timeout }).catch((err: Error) => ctx.log(`could not record the step's process ${leader.pid}: ${err.message}`));
      }
      const stdout = new TruncatedOutput();
      const stderr = new TruncatedOutput();
      child.stdout.on('data', (c: Buffer) => stdout.add(c));
      child.stderr.on('data', (c: Buffer) => stderr.add(c));
      let timedOut = false;
      const kill = () => (leader ? killGroup(leader) : child.kill('SIGKILL'));
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, params.timeout);
      ctx.signal.addEventListener('abort', kill, { once: true });
      const finish = (exitCode: number | null, signal: string | null, error?: Error) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', kill);
        if (leader) untrackGroup(leader.pid);
        const output = { argv: params.argv, exitCode, signal, timedOut, durationMs: Date.now() - started, stdout: stdout.text(), stderr: stderr.text() };
        const done = (r: { ok: boolean; summary: string; output: Record<string, unknown> }) => {
          // the record goes once the process has: only then is the step's slot free
          if (!leader || !watch) return resolve(r);
          void recorded
            .then(() => watch.ended(leader))
            .catch((err: Error) => ctx.log(`could not clear the record of the step's process ${leader.pid}: ${err.message}`))
            .finally(() => resolve(r));
        };
        if (error) return done({ ok: false, summary: `could not start ${params.argv[0]}: ${error.message}`, output: { ...output, error: error.message } });
        if (timedOut) return done({ ok: false, summary: `${params.argv[0]} did not finish within ${params.timeout} ms and was killed`, output });
        done({ ok: exitCode === 0, summary: `${params.argv[0]} exited with ${exitCode ?? signal}`, output });
      };
      let settled = false;
      child.once('error', (err) => {
        if (settled) return;
        settled = true;
        finish(null, null, err);
      });
      child.once('close', (code, signal) => {
        if (settled) return;
        settled = true;
        finish(code, signal);
      });
    });
  },
});
