import type { Logger } from 'pino';
import type { LoadedConfig } from '../../config/index.js';
import type { ServiceSpec } from '../../config/kinds.js';
import type { DbOrTx } from '../../store/store.js';
import type { CheckOutcome } from '../checks/checkOutcome.js';
import { ciDurationTrend } from './ciDurationTrend.js';
import { ciFlakyTests } from './ciFlaky.js';
import { latencyRegression } from './latencyRegression.js';
import { majorVersionsBehind } from './majorVersionsBehind.js';
import { checkTls } from './tlsCheck.js';
import { todoTrend } from './todoTrend.js';
import { recordUpkeepOutcome } from './upkeepHistory.js';

export interface UpkeepOptions {
  /** the npm registry majors are read against (PRODENG_NPM_REGISTRY; default the public one) */
  registry?: string | undefined;
  /** where git URLs are cloned for the TODO trend */
  cacheDir?: string | undefined;
  /** extra CA certificates the TLS check trusts (PEM), beside the system's */
  ca?: string[] | undefined;
  /** only these services (default: every one) */
  services?: readonly string[] | undefined;
  logger?: Pick<Logger, 'warn'> | undefined;
}

export interface UpkeepRun {
  service: string;
  check: string;
  outcome: CheckOutcome;
}

/** `https://host[:port]` -> the endpoint the TLS scan connects to. */
function tlsEndpointOf(url: string): { host: string; port: number; servername: string } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port ? Number(u.port) : 443, servername: u.hostname };
}

/**
 * The upkeep nobody else does, measured: for each service, the checks its
 * facts allow (a repository for the TODO trend and the majors behind, HTTPS
 * endpoints for TLS; prodeng's own probe results and CI reports for the
 * rest), each outcome kept with its date. A check that throws is kept as
 * "not measured" with why: one broken repository does not stop the others.
 */
export async function runUpkeepChecks(db: DbOrTx, config: LoadedConfig, now: number, options: UpkeepOptions = {}): Promise<UpkeepRun[]> {
  const runs: UpkeepRun[] = [];
  const services = [...(config.services as Map<string, { spec: ServiceSpec }>)].filter(([name]) => !options.services || options.services.includes(name));
  for (const [service, doc] of services) {
    const checks: Array<[string, () => Promise<CheckOutcome>]> = [
      ['performance.latency-regression', () => latencyRegression({ db, service, now })],
      ['upkeep.ci-duration', () => ciDurationTrend({ db, service, now })],
      ['upkeep.flaky-tests', () => ciFlakyTests({ db, service, now })],
    ];
    const repository = doc.spec.repository;
    if (repository) {
      checks.push(['upkeep.todo-trend', () => todoTrend({ repository, now, cacheDir: options.cacheDir })]);
      checks.push(['upkeep.major-versions', () => majorVersionsBehind({ repository, now, registry: options.registry })]);
    }
    const endpoints = doc.spec.httpsEndpoints ?? [];
    if (endpoints.length > 0) checks.push(['upkeep.tls', () => checkTls(endpoints.map(tlsEndpointOf), { now, ...(options.ca ? { ca: options.ca } : {}) })]);
    for (const [check, measure] of checks) {
      let outcome: CheckOutcome;
      try {
        outcome = await measure();
      } catch (err) {
        options.logger?.warn({ service, check, err: (err as Error).message }, 'an upkeep check failed to run');
        outcome = { status: 'not_measured', fact: `the check could not run: ${(err as Error).message}`, source: check, measuredAt: now };
      }
      await recordUpkeepOutcome(db, service, check, outcome);
      runs.push({ service, check, outcome });
    }
  }
  return runs;
}

/** Hourly, as a leader task that never holds the maintenance loop: a run in flight is not started twice. */
export function upkeepTask(db: DbOrTx, config: LoadedConfig, options: UpkeepOptions & { intervalMs?: number; clock: { now(): number } }) {
  let last = -Infinity;
  let running: Promise<unknown> | null = null;
  return async (now: number): Promise<void> => {
    if (running || now - last < (options.intervalMs ?? 3600_000)) return;
    last = now;
    running = runUpkeepChecks(db, config, options.clock.now(), options)
      .catch((err: unknown) => options.logger?.warn({ err: (err as Error).message }, 'upkeep checks failed'))
      .finally(() => (running = null));
  };
}
