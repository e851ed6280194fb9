import { runHealthCheck } from './healthCheck.js';
import type { ProbeSpec } from './probeKind.js';

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number;
  detail: string;
}

async function httpProbe(http: NonNullable<ProbeSpec['http']>, address: string, timeout: number): Promise<ProbeOutcome> {
  const url = `http://${address}${http.path}`;
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout), redirect: 'manual' });
    const body = await res.text();
    const latencyMs = performance.now() - started;
    if (res.status !== http.status) return { ok: false, latencyMs, detail: `GET ${url}: ${res.status}, expected ${http.status}` };
    if (http.bodyMatch && !new RegExp(http.bodyMatch).test(body)) return { ok: false, latencyMs, detail: `GET ${url}: body does not match /${http.bodyMatch}/` };
    if (http.latencyThreshold !== undefined && latencyMs > http.latencyThreshold) {
      return { ok: false, latencyMs, detail: `GET ${url}: ${Math.round(latencyMs)} ms, slower than ${http.latencyThreshold} ms` };
    }
    return { ok: true, latencyMs, detail: `GET ${url}: ${res.status} in ${Math.round(latencyMs)} ms` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { ok: false, latencyMs: performance.now() - started, detail: `GET ${url}: ${cause === 'TimeoutError' ? `no answer within ${timeout} ms` : cause}` };
  }
}

/** One check of one host by one probe. */
export async function runProbeCheck(spec: ProbeSpec, host: { name: string; address: string }): Promise<ProbeOutcome> {
  if (spec.http) return httpProbe(spec.http, host.address, spec.timeout);
  const check = spec.tcp
    ? await runHealthCheck({ tcp: { address: host.address, timeout: spec.timeout } })
    : await runHealthCheck({ exec: { argv: spec.exec!.argv.map((a) => a.replaceAll('{{ host }}', host.name).replaceAll('{{ address }}', host.address)), timeout: spec.timeout } });
  return { ok: check.ok, latencyMs: check.latencyMs, detail: check.summary };
}
