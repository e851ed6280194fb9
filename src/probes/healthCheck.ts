import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { hostPortOf, hostRefusal, urlHostRefusal } from '../actions/allowedHosts.js';
import { childEnvironment } from '../actions/exec.js';

/** A health check as runbooks (confirm, verify), the probe action and Probe documents use it. */
export type HealthCheck =
  | { http: { url: string; status: number; timeout: number; allowedHosts?: string[] | undefined } }
  | { tcp: { address: string; timeout: number; allowedHosts?: string[] | undefined } }
  | { exec: { argv: string[]; timeout: number; env?: string[] | undefined } };

export interface HealthCheckResult {
  ok: boolean;
  summary: string;
  latencyMs: number;
  /** the check was not run: it names a host outside its allowedHosts (a failure that proves nothing about the target) */
  refused?: true;
}

function describeCheck(check: HealthCheck): string {
  if ('http' in check) return `GET ${check.http.url}`;
  if ('tcp' in check) return `TCP ${check.tcp.address}`;
  return `exec ${check.exec.argv.map((a) => JSON.stringify(a)).join(' ')}`;
}

async function httpCheck(c: Extract<HealthCheck, { http: unknown }>['http']): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  const refusal = c.allowedHosts ? urlHostRefusal(c.url, c.allowedHosts) : null;
  if (refusal) return { ok: false, refused: true, summary: `GET ${c.url}: refused: ${refusal}` };
  try {
    const res = await fetch(c.url, { signal: AbortSignal.timeout(c.timeout), redirect: 'manual' });
    await res.arrayBuffer();
    return res.status === c.status ? { ok: true, summary: `GET ${c.url}: ${res.status}` } : { ok: false, summary: `GET ${c.url}: ${res.status}, expected ${c.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { ok: false, summary: `GET ${c.url}: ${cause === 'TimeoutError' ? `no answer within ${c.timeout} ms` : cause}` };
  }
}

/** Where a TCP check connects; with allowedHosts, only a plain host:port on the list (and the host as checked). */
function tcpTarget(c: Extract<HealthCheck, { tcp: unknown }>['tcp']): { host: string; port: number } | { refused: string } {
  if (c.allowedHosts) {
    const target = hostPortOf(c.address);
    if (!target) return { refused: `${JSON.stringify(c.address)} is not host:port; nothing was sent` };
    const refusal = hostRefusal(target.host, target.port, c.allowedHosts, null);
    return refusal ? { refused: refusal } : target;
  }
  const m = /^(.*):(\d+)$/.exec(c.address);
  return m ? { host: m[1]!, port: Number(m[2]) } : { refused: 'not host:port' };
}

function tcpCheck(c: Extract<HealthCheck, { tcp: unknown }>['tcp']): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  const target = tcpTarget(c);
  if ('refused' in target) {
    return Promise.resolve(c.allowedHosts ? { ok: false, refused: true, summary: `TCP ${c.address}: refused: ${target.refused}` } : { ok: false, summary: `TCP ${c.address}: ${target.refused}` });
  }
  const { host, port } = target;
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean, summary: string) => {
      socket.destroy();
      resolve({ ok, summary });
    };
    socket.setTimeout(c.timeout, () => done(false, `TCP ${c.address}: no connection within ${c.timeout} ms`));
    socket.once('connect', () => done(true, `TCP ${c.address}: connected`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, `TCP ${c.address}: ${err.code ?? err.message}`));
  });
}

function execCheck(c: Extract<HealthCheck, { exec: unknown }>['exec']): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  return new Promise((resolve) => {
    const child = spawn(c.argv[0]!, c.argv.slice(1), { shell: false, stdio: 'ignore', env: childEnvironment(c.env) });
    const timer = setTimeout(() => child.kill('SIGKILL'), c.timeout);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, summary: `exec ${c.argv[0]}: ${err.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, summary: `exec ${c.argv[0]}: ${signal ? `killed (${signal})` : `exit ${code}`}` });
    });
  });
}

/** Runs one check; never throws: a failure is a result. */
export async function runHealthCheck(check: HealthCheck): Promise<HealthCheckResult> {
  const started = Date.now();
  const result = 'http' in check ? await httpCheck(check.http) : 'tcp' in check ? await tcpCheck(check.tcp) : await execCheck(check.exec);
  return { ...result, latencyMs: Date.now() - started };
}

export { describeCheck };
