import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { notMeasured, type CheckOutcome } from '../checks/checkOutcome.js';
import { cloneOrFetch, displayUrl, isRepositoryUrl } from './todoTrendClone.js';
import { commitAtOrBefore, countMarkers, resolveCommit, type GitOptions } from './todoTrendGit.js';

/**
 * Upkeep check: are TODO/FIXME markers piling up? Counts the markers in the
 * files tracked at HEAD and at the mainline commits of about 30, 60 and 90
 * days ago, and fails when the last 30 days added more than the thresholds
 * allow. The count alone says little (a large codebase has many); its
 * direction says whether the debt is being paid or borrowed.
 */

export interface TodoTrendThresholds {
  /** the rise over 30 days that still passes, in markers */
  maxRise: number;
  /** the rise over 30 days that still passes, in percent of the count 30 days ago */
  maxRisePercent: number;
}

export const defaultTodoTrendThresholds: TodoTrendThresholds = { maxRise: 3, maxRisePercent: 10 };
export const defaultMarkers = ['TODO', 'FIXME', 'XXX', 'HACK'] as const;

export interface TodoTrendInput {
  /** a local checkout (its top directory, or a bare repository) or a repository URL */
  repository: string;
  /** where a repository given as a URL is cloned; without it a URL is not measured */
  cacheDir?: string | undefined;
  /** the ref measured as "now" in a local checkout (default HEAD) */
  ref?: string | undefined;
  now?: number | undefined;
  thresholds?: Partial<TodoTrendThresholds> | undefined;
  markers?: readonly string[] | undefined;
  /** globs of tracked paths not counted (vendored code, generated files) */
  excludePaths?: readonly string[] | undefined;
  /** for each git command */
  timeoutMs?: number | undefined;
  maxOutputBytes?: number | undefined;
}

export interface TodoTrendPoint {
  daysBack: number;
  /** null: the history does not go back that far */
  commit: string | null;
  committedAt: number | null;
  count: number | null;
}

const dayMs = 86_400_000;
const pointsDaysBack = [0, 30, 60, 90] as const;

export async function todoTrend(input: TodoTrendInput): Promise<CheckOutcome> {
  const measuredAt = input.now ?? Date.now();
  const thresholds = { ...defaultTodoTrendThresholds, ...input.thresholds };
  const markers = input.markers?.length ? [...input.markers] : [...defaultMarkers];
  const limits = { timeoutMs: input.timeoutMs ?? 60_000, maxOutputBytes: input.maxOutputBytes ?? 64 * 1024 * 1024 };
  const markerNames = markers.join('/');

  const located = await locateRepository(input, measuredAt, limits);
  if (!located.ok) return notMeasured(located.error, located.source, measuredAt);
  const { git, ref, source } = located;

  const head = await resolveCommit(git, ref);
  if (!head.ok) return notMeasured(`${markerNames} not counted: ${head.error}`, source, measuredAt);
  if (head.stdout === null) return notMeasured(`${markerNames} not counted: the repository has no commits on ${ref} yet`, source, measuredAt);

  const series: TodoTrendPoint[] = [];
  // Quiet repositories give the same commit for several points: count each once.
  const countByCommit = new Map<string, number>();
  for (const daysBack of pointsDaysBack) {
    const at = await commitAtOrBefore(git, head.stdout, measuredAt - daysBack * dayMs);
    if (!at.ok) return notMeasured(`${markerNames} not counted: ${at.error}`, source, measuredAt);
    if (at.commit === null) {
      series.push({ daysBack, commit: null, committedAt: null, count: null });
      continue;
    }
    let count = countByCommit.get(at.commit);
    if (count === undefined) {
      const counted = await countMarkers(git, at.commit, markers, input.excludePaths ?? []);
      if (!counted.ok) return notMeasured(`${markerNames} not counted at ${at.commit.slice(0, 12)}: ${counted.error}`, source, measuredAt);
      count = counted.count;
      countByCommit.set(at.commit, count);
    }
    series.push({ daysBack, commit: at.commit, committedAt: at.committedAt, count });
  }

  const evidence = { series, markers, thresholds };
  const now = series[0]!.count;
  const before = series[1]!.count;
  if (now === null) {
    // HEAD committed after `now` (a clock behind the repository's dates).
    return { ...notMeasured(`${markerNames} not counted: the newest commit is dated after the measurement time`, source, measuredAt), evidence };
  }
  if (before === null) {
    return { ...notMeasured(`${now} ${markerNames} at HEAD; no trend yet: the history is younger than 30 days`, source, measuredAt), evidence };
  }
  const rise = now - before;
  const allowed = Math.max(thresholds.maxRise, (before * thresholds.maxRisePercent) / 100);
  if (rise > allowed) {
    return {
      status: 'failed',
      fact: `${now} ${markerNames}, up ${rise} from ${before} thirty days ago (more than the ${thresholds.maxRise} markers and ${thresholds.maxRisePercent}% allowed)`,
      source,
      measuredAt,
      evidence: { ...evidence, rise },
    };
  }
  const fact =
    rise === 0 ? `${now} ${markerNames}, unchanged from thirty days ago`
    : rise < 0 ? `${now} ${markerNames}, down from ${before} thirty days ago`
    : `${now} ${markerNames}, up ${rise} from ${before} thirty days ago (within the ${thresholds.maxRise} markers or ${thresholds.maxRisePercent}% allowed)`;
  return { status: 'passed', fact, source, measuredAt, evidence: { ...evidence, rise } };
}

type Located = { ok: true; git: GitOptions; ref: string; source: string } | { ok: false; error: string; source: string };

async function locateRepository(input: TodoTrendInput, now: number, limits: Omit<GitOptions, 'repository'>): Promise<Located> {
  if (isRepositoryUrl(input.repository)) {
    const source = `git history of ${displayUrl(input.repository)}`;
    if (!input.cacheDir) return { ok: false, error: 'the repository is a URL and no cache directory to clone it into was given', source };
    const cloned = await cloneOrFetch(input.repository, input.cacheDir, now - pointsDaysBack[pointsDaysBack.length - 1]! * dayMs, limits);
    if (!cloned.ok) return { ok: false, error: cloned.error, source };
    return { ok: true, git: { ...limits, repository: cloned.gitDir }, ref: cloned.ref, source };
  }
  let path: string;
  try {
    // The real path: what safe.directory is compared with.
    path = realpathSync(resolve(input.repository));
  } catch {
    return { ok: false, error: `the repository ${input.repository} does not exist on the prodeng host`, source: `git history of ${input.repository}` };
  }
  return { ok: true, git: { ...limits, repository: path }, ref: input.ref ?? 'HEAD', source: `git history of ${path}` };
}
