import { execFile } from 'node:child_process';

/**
 * Git, run as an argv array (execFile, never a shell): the repository path
 * and everything read from the repository stay single arguments.
 */

export type GitResult = { ok: true; stdout: string } | { ok: false; error: string };

export interface GitOptions {
  /** the repository's top directory (or a bare repository) */
  repository: string;
  timeoutMs: number;
  /** the most output one command may print before it is stopped */
  maxOutputBytes: number;
}

/**
 * Configuration given on the command line wins over the repository's own
 * .git/config. safe.directory lets git read a checkout owned by another user
 * (a service's repository mounted into prodeng's container); the others stop
 * a repository's configuration from running a program (fsmonitor) or from
 * changing what grep prints (line numbers, colours, pattern type).
 */
function protectiveConfig(repository: string): string[] {
  return [
    '-c', `safe.directory=${repository}`,
    '-c', 'core.fsmonitor=false',
    '-c', 'color.ui=false',
    '-c', 'grep.lineNumber=false',
    '-c', 'grep.column=false',
    '-c', 'grep.fullName=false',
    '-c', 'protocol.ext.allow=never',
  ];
}

/** An explicit, minimal environment: no GIT_DIR or GIT_WORK_TREE inherited from a hook, no prompt for credentials. */
function gitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

/**
 * Runs `git <protective config> -C <repository> <args>`. Exit codes listed in
 * okExitCodes count as success (git grep exits 1 when nothing matched).
 */
export function runGit(opts: GitOptions, args: readonly string[], okExitCodes: readonly number[] = [0]): Promise<GitResult> {
  const argv = [...protectiveConfig(opts.repository), '-C', opts.repository, ...args];
  return new Promise((resolve) => {
    execFile('git', argv, { env: gitEnvironment(), timeout: opts.timeoutMs, maxBuffer: opts.maxOutputBytes, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
      if (typeof e.code === 'number' && okExitCodes.includes(e.code)) return resolve({ ok: true, stdout });
      if (e.code === 'ENOENT') return resolve({ ok: false, error: 'git is not installed (or not on PATH) on the prodeng host' });
      if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ ok: false, error: `git ${args[0]} printed more than ${opts.maxOutputBytes} bytes; raise maxOutputBytes` });
      if (e.killed || e.signal) return resolve({ ok: false, error: `git ${args[0]} did not finish within ${opts.timeoutMs} ms; raise timeoutMs or check the repository` });
      const why = stderr.trim().split('\n').slice(0, 3).join('; ') || `exit ${String(e.code)}`;
      resolve({ ok: false, error: `git ${args[0]} failed: ${why}` });
    });
  });
}

/** The commit a ref names, or null when the repository has no commits yet. */
export async function resolveCommit(opts: GitOptions, ref: string): Promise<GitResult | { ok: true; stdout: null }> {
  // --end-of-options: a ref read from config can never be taken for an option.
  const r = await runGit(opts, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], [0, 1]);
  if (!r.ok) return r;
  const sha = r.stdout.trim();
  return { ok: true, stdout: sha === '' ? null : sha };
}

/** git's own date format, unambiguous to its date parser (no milliseconds, explicit zone). */
export function gitDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

/** The newest first-parent ancestor of `commit` committed at or before `atMs`, or null when history is younger. */
export async function commitAtOrBefore(opts: GitOptions, commit: string, atMs: number): Promise<{ ok: true; commit: string | null; committedAt: number | null } | { ok: false; error: string }> {
  // --first-parent: the mainline as it stood then, not a commit of a branch merged later.
  const r = await runGit(opts, ['rev-list', '-1', '--first-parent', `--before=${gitDate(atMs)}`, '--format=%ct', commit]);
  if (!r.ok) return r;
  // --format prints "commit <sha>" then the formatted line.
  const lines = r.stdout.trim().split('\n');
  const sha = lines[0]?.startsWith('commit ') ? lines[0].slice('commit '.length).trim() : '';
  if (!sha) return { ok: true, commit: null, committedAt: null };
  const seconds = Number(lines[1]);
  return { ok: true, commit: sha, committedAt: Number.isFinite(seconds) ? seconds * 1000 : null };
}

/**
 * Occurrences of the markers in the text files tracked at a commit. -o prints
 * every match on a line of its own and -h drops the file name, so the count is
 * the number of lines whatever the files are called (a name with a newline or
 * a colon cannot shift it); -I skips binary files; -w so TODOS or XXXL do not
 * count; -F so a marker is text, not a pattern.
 */
export async function countMarkers(opts: GitOptions, commit: string, markers: readonly string[], excludePaths: readonly string[]): Promise<{ ok: true; count: number } | { ok: false; error: string }> {
  const patterns = markers.flatMap((m) => ['-e', m]);
  const pathspecs = excludePaths.map((p) => `:(exclude,glob)${p}`);
  const r = await runGit(opts, ['grep', '--no-color', '--no-textconv', '-I', '-F', '-w', '-o', '-h', ...patterns, commit, '--', ...pathspecs], [0, 1]);
  if (!r.ok) return r;
  let count = 0;
  for (const line of r.stdout.split('\n')) if (line !== '') count++;
  return { ok: true, count };
}
