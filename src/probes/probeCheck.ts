import { Agent, get as httpGet } from 'node:http';
import { runHealthCheck } from './healthCheck.js';
import type { ProbeSpec } from './probeKind.js';

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number;
  detail: string;
}

// One keep-alive agent for all probes: a probe every few seconds to the
// same host reuses its connection instead of paying for a new one (and
// node:http costs a fraction of fetch's CPU per request, which matters at
// hundreds of checks a second).
const agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: 60_000 });

function get(url: string, timeout: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent, timeout }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // A health body is small; keep the first 64 KiB for bodyMatch.
        if (size < 65_536) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TimeoutError' })));
    req.on('error', reject);
  });
}

async function httpProbe(http: NonNullable<ProbeSpec['http']>, address: string, timeout: number): Promise<ProbeOutcome> {
  const url = `http://${address}${http.path}`;
  const started = performance.now();
  try {
    const res = await get(url, timeout);
    const latencyMs = performance.now() - started;
    if (res.status !== http.status) return { ok: false, latencyMs, detail: `GET ${url}: ${res.status}, expected ${http.status}` };
    if (http.bodyMatch && !new RegExp(http.bodyMatch).test(res.body)) return { ok: false, latencyMs, detail: `GET ${url}: body does not match /${http.bodyMatch}/` };
    if (http.latencyThreshold !== undefined && latencyMs > http.latencyThreshold) {
      return { ok: false, latencyMs, detail: `GET ${url}: ${Math.round(latencyMs)} ms, slower than ${http.latencyThreshold} ms` };
    }
    return { ok: true, latencyMs, detail: `GET ${url}: ${res.status} in ${Math.round(latencyMs)} ms` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { ok: false, latencyMs: performance.now() - started, detail: `GET ${url}: ${code === 'TimeoutError' ? `no answer within ${timeout} ms` : code}` };
  }
}

/** One check of one host by one probe. */
export async function runProbeCheck(spec: ProbeSpec, host: { name: string; address: string }): Promise<ProbeOutcome> {
  if (spec.http) return httpProbe(spec.http, host.address, spec.timeout);
  const check = spec.tcp
    ? await runHealthCheck({ tcp: { address: host.address, timeout: spec.timeout } })
    : await runHealthCheck({ exec: { argv: spec.exec!.argv.map((a) => a.replaceAll('{{ host }}', host.name).replaceAll('{{ address }}', host.address)), timeout: spec.timeout, env: spec.exec!.env } });
  return { ok: check.ok, latencyMs: check.latencyMs, detail: check.summary };
}
