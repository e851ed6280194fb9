import semver from 'semver';
import { notMeasured, type CheckOutcome } from '../checks/checkOutcome.js';
import { readDirectDependencies, type DirectDependency } from './majorVersionsBehindLockfile.js';
import { fetchLatestVersion, mapWithConcurrency, RegistryCircuit, type LatestVersion } from './majorVersionsBehindRegistry.js';

/**
 * Upkeep check: is any direct dependency a major version (or more) behind
 * what its registry calls latest? A major behind is where upgrades stop being
 * routine: security fixes land on the new line, and the gap only grows.
 */

export interface MajorVersionsBehindThresholds {
  /** majors behind that still pass (0: one major behind fails) */
  maxMajorsBehind: number;
}

export const defaultMajorVersionsBehindThresholds: MajorVersionsBehindThresholds = { maxMajorsBehind: 0 };
export const defaultRegistry = 'https://registry.npmjs.org';

export interface MajorVersionsBehindInput {
  /** the repository's directory, holding package-lock.json */
  repository: string;
  registry?: string | undefined;
  authToken?: string | undefined;
  /** registry requests in flight at once */
  concurrency?: number | undefined;
  /** for each registry request */
  timeoutMs?: number | undefined;
  /** the registry failures in a row (unreachable, timed out, 5xx) after which the rest are not asked */
  stopAfterFailures?: number | undefined;
  /** devDependencies count too unless false */
  includeDev?: boolean | undefined;
  thresholds?: Partial<MajorVersionsBehindThresholds> | undefined;
  now?: number | undefined;
}

export interface DependencyVersions {
  name: string;
  installed: string;
  latest: string;
  majorsBehind: number;
  dev: boolean;
}

export interface UnreadDependency {
  name: string;
  installed: string;
  error: string;
}

type Compared = { ok: true; versions: DependencyVersions } | { ok: false; unread: UnreadDependency };

export async function majorVersionsBehind(input: MajorVersionsBehindInput): Promise<CheckOutcome> {
  const measuredAt = input.now ?? Date.now();
  const registry = input.registry ?? defaultRegistry;
  const thresholds = { ...defaultMajorVersionsBehindThresholds, ...input.thresholds };
  const sourceOf = (lockfile: string) => `registry ${registry}, ${lockfile}`;

  const lock = await readDirectDependencies(input.repository);
  if (!lock.ok) return notMeasured(`dependencies not compared: ${lock.error}`, `registry ${registry}, ${input.repository}`, measuredAt);
  const source = sourceOf(lock.lockfile);
  const deps = lock.dependencies.filter((d) => input.includeDev !== false || !d.dev);

  const opts = { registry, timeoutMs: input.timeoutMs ?? 10_000, authToken: input.authToken };
  const circuit = new RegistryCircuit(input.stopAfterFailures ?? 3);
  const compared = await mapWithConcurrency(deps, input.concurrency ?? 8, async (dep): Promise<Compared> => {
    if (circuit.open) return compare(dep, { ok: false, error: circuit.why, registryFailed: true });
    const latest = await fetchLatestVersion(opts, dep.registryName);
    circuit.record(latest);
    return compare(dep, latest);
  });

  const versions = compared.flatMap((c) => (c.ok ? [c.versions] : []));
  const unread = compared.flatMap((c) => (c.ok ? [] : [c.unread]));
  const behind = versions.filter((v) => v.majorsBehind > thresholds.maxMajorsBehind).sort((a, b) => b.majorsBehind - a.majorsBehind || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const evidence = { lockfile: lock.lockfile, registry, thresholds, behind, dependencies: versions, unread, skipped: lock.skipped };

  if (behind.length > 0) {
    const listed = behind.map((v) => `${v.name} ${v.installed} (latest ${v.latest})`).join(', ');
    const unreadNote = unread.length ? `; ${unread.length} more could not be read from the registry` : '';
    const gap = thresholds.maxMajorsBehind === 0 ? 'a major version or more' : `more than ${thresholds.maxMajorsBehind} major versions`;
    return { status: 'failed', fact: `${behind.length} of ${deps.length} direct dependencies ${gap} behind: ${listed}${unreadNote}`, source, measuredAt, evidence };
  }
  // A dependency the registry did not answer for may be the one behind: not a pass.
  if (unread.length > 0) {
    const rest = versions.length ? `; the other ${versions.length} are current` : '';
    return { ...notMeasured(`${unread.length} of ${deps.length} direct dependencies could not be read from the registry (${unread[0]!.error})${rest}`, source, measuredAt), evidence };
  }
  const fact =
    deps.length === 0 ? 'no direct dependencies from a registry'
    : thresholds.maxMajorsBehind === 0 ? `all ${deps.length} direct dependencies on their latest major version`
    : `all ${deps.length} direct dependencies within ${thresholds.maxMajorsBehind} major versions of latest`;
  return { status: 'passed', fact, source, measuredAt, evidence };
}

function compare(dep: DirectDependency, latest: LatestVersion): Compared {
  if (!latest.ok) return { ok: false, unread: { name: dep.name, installed: dep.installed, error: latest.error } };
  const installed = semver.parse(dep.installed);
  const newest = semver.parse(latest.latest);
  if (!installed) return { ok: false, unread: { name: dep.name, installed: dep.installed, error: `the lockfile's version of ${dep.name}, "${dep.installed}", is not semver` } };
  if (!newest) return { ok: false, unread: { name: dep.name, installed: dep.installed, error: `the registry's latest of ${dep.registryName}, "${latest.latest}", is not semver` } };
  // Ahead of latest (a prerelease from the next tag) is not behind.
  return { ok: true, versions: { name: dep.name, installed: dep.installed, latest: latest.latest, majorsBehind: Math.max(0, newest.major - installed.major), dev: dep.dev } };
}
