import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { defineAction } from './action.js';
import { allowedHostsSchema, hostPortOf, hostRefusal, templatedHostProblem, withTemplatesFilledIn } from './allowedHosts.js';

const MAX_OUTPUT_CHARS = 16 * 1024;

/** A host name, an IPv4 address or an IPv6 address (without brackets), templates allowed until rendered; never an option or user@host. */
const sshHost = z
  .string()
  .min(1)
  .refine((h) => /^([A-Za-z0-9_~][A-Za-z0-9._~-]*|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$/.test(withTemplatesFilledIn(h)), 'must be a host name or address (the user goes in user, the port in port)');

export const sshParams = z
  .object({
    host: sshHost,
    /** the hosts a templated host may name: ["db-*.internal"] (port 22 unless a pattern says :PORT or :*) */
    allowedHosts: allowedHostsSchema.optional(),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    /** a private key file, or the name of an environment variable holding the key */
    keyFile: z.string().optional(),
    keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    /** OpenSSH known_hosts; a host whose key is not listed is refused */
    knownHostsFile: z.string().default(join(homedir(), '.ssh', 'known_hosts')),
    argv: z.array(z.string()).min(1, 'give the remote program and its arguments as a list'),
    timeout: durationSchema.default(30_000),
  })
  .strict()
  .refine((p) => (p.keyFile === undefined) !== (p.keyEnv === undefined), 'give keyFile or keyEnv (key authentication only)')
  .superRefine((p, ctx) => {
    const problem = templatedHostProblem('the host', p.host, p.allowedHosts);
    if (problem) ctx.addIssue({ code: 'custom', path: ['host'], message: problem });
  });

export type SshParams = z.output<typeof sshParams>;

/**
 * The remote side runs a command line through the user's shell, so each
 * argument is single-quoted: what was one argument here is one argument
 * there, and `;`, `$( )` or quotes inside it mean nothing.
 */
export function quoteForRemoteShell(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
}

/** The keys known_hosts lists for host:port (plain entries; hashed ones are not read). */
export function knownHostKeys(knownHosts: string, host: string, port: number): Buffer[] {
  const names = port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`];
  const keys: Buffer[] = [];
  for (const line of knownHosts.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith('@')) continue;
    const [hosts, , key] = trimmed.split(/\s+/);
    if (!hosts || !key) continue;
    if (hosts.split(',').some((h) => names.includes(h))) keys.push(Buffer.from(key, 'base64'));
  }
  return keys;
}

/** The host to connect to: as given, or with allowedHosts the host as checked against the list (a URL parser's normal form). */
function whereToConnect(params: SshParams): { host: string } | { refused: string } {
  if (!params.allowedHosts) return { host: params.host };
  const ipv6 = params.host.includes(':');
  const target = hostPortOf(ipv6 ? `[${params.host}]:${params.port}` : `${params.host}:${params.port}`);
  if (!target) return { refused: `${JSON.stringify(params.host)} is not a host name or address; nothing was sent` };
  const refusal = hostRefusal(target.host, target.port, params.allowedHosts, 22);
  return refusal ? { refused: refusal } : { host: target.host.replace(/^\[|\]$/g, '') };
}

export const sshAction = defineAction({
  name: 'ssh',
  description: 'run an argv on a remote host over SSH with key authentication and host-key checking',
  risk: 'disruptive',
  params: sshParams,
  run(params, ctx) {
    return new Promise((resolve) => {
      const target = whereToConnect(params);
      if ('refused' in target) return resolve({ ok: false, summary: `ssh ${params.host}: refused: ${target.refused}`, output: { refused: target.refused } });
      const host = target.host;
      let privateKey: string;
      let known: Buffer[];
      try {
        privateKey = params.keyFile ? readFileSync(params.keyFile, 'utf8') : (process.env[params.keyEnv!] ?? '');
        if (!privateKey) return resolve({ ok: false, summary: `environment variable ${params.keyEnv} holds no key`, output: {} });
        known = knownHostKeys(readFileSync(params.knownHostsFile, 'utf8'), host, params.port);
      } catch (err) {
        return resolve({ ok: false, summary: `ssh ${params.host}: ${(err as Error).message}`, output: {} });
      }
      const started = Date.now();
      const conn = new Client();
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (ok: boolean, summary: string, extra: Record<string, unknown> = {}) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.end();
        resolve({ ok, summary, output: { host: params.host, argv: params.argv, stdout: stdout.slice(0, MAX_OUTPUT_CHARS), stderr: stderr.slice(0, MAX_OUTPUT_CHARS), durationMs: Date.now() - started, ...extra } });
      };
      const timer = setTimeout(() => finish(false, `ssh ${params.host}: no result within ${params.timeout} ms`, { timedOut: true }), params.timeout);
      ctx.signal.addEventListener('abort', () => finish(false, `ssh ${params.host}: cancelled`), { once: true });
      let hostKeyRefused = false;
      conn
        .on('ready', () => {
          conn.exec(quoteForRemoteShell(params.argv), (err, stream) => {
            if (err) return finish(false, `ssh ${params.host}: ${err.message}`);
            stream.on('data', (d: Buffer) => (stdout += d.toString()));
            stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            stream.on('close', (code: number | null, signal?: string) =>
              finish(code === 0, `ssh ${params.host}: ${params.argv[0]} exited with ${code ?? signal}`, { exitCode: code, signal: signal ?? null }),
            );
          });
        })
        .on('error', (err) =>
          finish(false, hostKeyRefused ? `ssh ${params.host}: host key is not in ${params.knownHostsFile}; refusing to connect` : `ssh ${params.host}: ${err.message}`),
        )
        .connect({
          host,
          port: params.port,
          username: params.user,
          privateKey,
          readyTimeout: params.timeout,
          hostVerifier: (key: Buffer) => {
            const ok = known.some((k) => k.equals(key));
            if (!ok) hostKeyRefused = true;
            return ok;
          },
        });
    });
  },
});
