import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/** A health check as runbooks (confirm, verify) and the probe action use it. */
export type HealthCheck =
  | { http: { url: string; status: number; timeout: number } }
  | { tcp: { address: string; timeout: number } }
  | { exec: { argv: string[]; timeout: number } };

export interface HealthCheckResult {
  ok: boolean;
  summary: string;
  latencyMs: number;
}

function describeCheck(check: HealthCheck): string {
  if ('http' in check) return `GET ${check.http.url}`;
  if ('tcp' in check) return `TCP ${check.tcp.address}`;
  return `exec ${check.exec.argv.map((a) => JSON.stringify(a)).join(' ')}`;
}

async function httpCheck(c: { url: string; status: number; timeout: number }): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  try {
    const res = await fetch(c.url, { signal: AbortSignal.timeout(c.timeout), redirect: 'manual' });
    await res.arrayBuffer();
    return res.status === c.status ? { ok: true, summary: `GET ${c.url}: ${res.status}` } : { ok: false, summary: `GET ${c.url}: ${res.status}, expected ${c.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { ok: false, summary: `GET ${c.url}: ${cause === 'TimeoutError' ? `no answer within ${c.timeout} ms` : cause}` };
  }
}

function tcpCheck(c: { address: string; timeout: number }): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  const m = /^(.*):(\d+)$/.exec(c.address);
  if (!m) return Promise.resolve({ ok: false, summary: `TCP ${c.address}: not host:port` });
  const [, host, port] = m as unknown as [string, string, string];
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) });
    const done = (ok: boolean, summary: string) => {
      socket.destroy();
      resolve({ ok, summary });
    };
    socket.setTimeout(c.timeout, () => done(false, `TCP ${c.address}: no connection within ${c.timeout} ms`));
    socket.once('connect', () => done(true, `TCP ${c.address}: connected`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, `TCP ${c.address}: ${err.code ?? err.message}`));
  });
}

function execCheck(c: { argv: string[]; timeout: number }): Promise<Omit<HealthCheckResult, 'latencyMs'>> {
  return new Promise((resolve) => {
    const child = spawn(c.argv[0]!, c.argv.slice(1), { shell: false, stdio: 'ignore' });
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
