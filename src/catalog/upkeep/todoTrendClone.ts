import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gitDate, runGit, type GitOptions } from './todoTrendGit.js';

/**
 * A service whose repository is a URL is measured from a bare, shallow clone
 * kept in a cache directory: deep enough for the oldest point of the trend,
 * and fetched again (not cloned again) on the next measurement.
 */

// file:// is there for tests and for mirrors on a shared disk; ext:: and
// fd:: (which run programs) never are.
const allowedScheme = /^(https?|ssh|git|file):\/\//i;
const scpLike = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/; // git@host:owner/repo.git

export function isRepositoryUrl(repository: string): boolean {
  return allowedScheme.test(repository) || scpLike.test(repository);
}

/** A URL as it may be shown: a password or token in it is hidden. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^/@]*@/i, '$1***@');
}

export type CloneResult = { ok: true; gitDir: string; ref: string } | { ok: false; error: string };

/**
 * `historySinceMs` is the oldest point of the trend. --shallow-since brings
 * the commits after it, and --deepen=1 the one commit before them: the commit
 * that stood at that point, however long before it was made. A repository
 * with no commit since then is cloned at depth 1: its HEAD stood at every point.
 */
export async function cloneOrFetch(url: string, cacheDir: string, historySinceMs: number, limits: Omit<GitOptions, 'repository'>): Promise<CloneResult> {
  if (!isRepositoryUrl(url)) return { ok: false, error: `"${displayUrl(url)}" is not a repository URL prodeng clones (https://, http://, ssh://, git://, file:// or user@host:path)` };
  mkdirSync(cacheDir, { recursive: true });
  // The URL never becomes a path: its hash names the cache entry.
  const gitDir = join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 24) + '.git');
  const opts = { ...limits, repository: gitDir };
  const since = `--shallow-since=${gitDate(historySinceMs)}`;
  // Only a shallow clone has a boundary to deepen past.
  const deepen = async () => (existsSync(join(gitDir, 'shallow')) ? runGit(opts, ['fetch', '--quiet', '--no-tags', '--deepen=1', '--', url, 'HEAD']) : { ok: true as const, stdout: '' });
  if (existsSync(join(gitDir, 'HEAD'))) {
    // FETCH_HEAD is the remote's HEAD as fetched now; no refspec to keep in step.
    const fetched = (await runGit(opts, ['fetch', '--quiet', '--no-tags', since, '--', url, 'HEAD'])).ok || (await runGit(opts, ['fetch', '--quiet', '--no-tags', '--depth=1', '--', url, 'HEAD'])).ok;
    if (fetched && (await deepen()).ok) return { ok: true, gitDir, ref: 'FETCH_HEAD' };
    // A cache entry that cannot be refreshed (corrupt, or history rewritten) is cloned anew.
    rmSync(gitDir, { recursive: true, force: true });
  }
  const inCache = { ...limits, repository: cacheDir };
  const clone = (depth: string) => runGit(inCache, ['clone', '--quiet', '--bare', '--single-branch', '--no-tags', depth, '--', url, gitDir]);
  let cloned = await clone(since);
  if (!cloned.ok) {
    rmSync(gitDir, { recursive: true, force: true });
    cloned = await clone('--depth=1');
  }
  const deepened = cloned.ok ? await deepen() : cloned;
  if (!deepened.ok) {
    rmSync(gitDir, { recursive: true, force: true });
    return { ok: false, error: `could not clone ${displayUrl(url)}: ${deepened.error.replaceAll(url, displayUrl(url))}` };
  }
  return { ok: true, gitDir, ref: 'HEAD' };
}
