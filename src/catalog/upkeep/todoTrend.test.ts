import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todoTrend, type TodoTrendPoint } from './todoTrend.js';

const dayMs = 86_400_000;
const now = Date.now();

// A parent directory whose name would do something in a shell: git must get it as one argument.
const parent = mkdtempSync(join(tmpdir(), 'todo trend $(touch pwned) -n '));
const repo = join(parent, 'service repo');

function git(args: string[], atMs?: number): string {
  const date = atMs === undefined ? undefined : new Date(atMs).toISOString();
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: parent,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
    },
  });
}

function write(name: string, content: string | Buffer): void {
  writeFileSync(join(repo, name), content);
}

function commitAll(message: string, daysAgo: number): void {
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', message], now - daysAgo * dayMs);
}

const counts = (series: unknown) => (series as TodoTrendPoint[]).map((p) => p.count);

beforeAll(() => {
  mkdirSync(repo);
  git(['init', '--quiet', '-b', 'main']);
  // 200 days ago: no markers yet.
  write('README', 'the cart service\n');
  commitAll('readme', 200);
  // 120 days ago: 4 markers in text files (names that are options or hold spaces), one in a binary file that must not count.
  write('app.ts', '// TODO: retry\nconst x = 1; // FIXME\n// TODOS and todo and XXXL are not markers\n');
  write('-n.txt', 'XXX here\n');
  // A name with a newline: were file names printed, it would be counted as a line of its own.
  write('with space\nand a newline.md', 'HACK around it\n');
  write('$(touch pwned).txt', 'nothing to see\n');
  write('logo.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x54, 0x4f, 0x44, 0x4f, 0x20, 0x00, 0x0a]));
  commitAll('start', 120);
  // 65 days ago: two on one line count as two -> 6.
  write('cart.ts', '// TODO FIXME both\n');
  commitAll('cart', 65);
  // 35 days ago: one paid off -> 5.
  write('app.ts', '// TODO: retry\nconst x = 1;\n');
  commitAll('fix', 35);
  // 5 days ago: ten more -> 15.
  write('checkout.ts', Array.from({ length: 10 }, (_, i) => `// TODO step ${i}`).join('\n') + '\n');
  commitAll('checkout', 5);
  // An untracked file with markers is not in any commit.
  write('scratch.txt', 'TODO TODO TODO\n');
});

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('todoTrend', () => {
  it('fails when the markers rose over 30 days past the thresholds, with the series as evidence', async () => {
    const outcome = await todoTrend({ repository: repo, now });
    expect(outcome.status).toBe('failed');
    expect(counts(outcome.evidence?.series)).toEqual([15, 5, 6, 4]);
    expect(outcome.fact).toBe('15 TODO/FIXME/XXX/HACK, up 10 from 5 thirty days ago (more than the 3 markers and 10% allowed)');
    expect(outcome.source).toContain('service repo');
    expect(outcome.measuredAt).toBe(now);
    const series = outcome.evidence?.series as TodoTrendPoint[];
    expect(series.map((p) => p.daysBack)).toEqual([0, 30, 60, 90]);
    expect(series.every((p) => /^[0-9a-f]{40}$/.test(p.commit ?? ''))).toBe(true);
    // Nothing was run through a shell.
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(readdirSync(repo)).not.toContain('pwned');
    expect(readdirSync(tmpdir())).not.toContain('pwned');
  });

  it('passes when the count fell', async () => {
    // Measured as of 6 days ago: 5 now against 6 thirty days before.
    const outcome = await todoTrend({ repository: repo, now: now - 6 * dayMs });
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toBe('5 TODO/FIXME/XXX/HACK, down from 6 thirty days ago');
    expect(counts(outcome.evidence?.series)).toEqual([5, 6, 4, 4]);
  });

  it('passes a rise within the thresholds, and says so', async () => {
    const outcome = await todoTrend({ repository: repo, now, thresholds: { maxRise: 10 } });
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toBe('15 TODO/FIXME/XXX/HACK, up 10 from 5 thirty days ago (within the 10 markers or 10% allowed)');
  });

  it('counts only the markers it is given, and leaves out excluded paths', async () => {
    const outcome = await todoTrend({ repository: repo, now, markers: ['FIXME'], excludePaths: ['checkout.ts'] });
    expect(counts(outcome.evidence?.series)).toEqual([1, 1, 2, 1]);
    expect(outcome.fact).toContain('FIXME, unchanged from thirty days ago');
  });

  it('is not measured while the history is younger than 30 days', async () => {
    // As of 190 days ago the only commit was 10 days old.
    const outcome = await todoTrend({ repository: repo, now: now - 190 * dayMs });
    expect(outcome.status).toBe('not_measured');
    expect(outcome.fact).toBe('0 TODO/FIXME/XXX/HACK at HEAD; no trend yet: the history is younger than 30 days');
    expect(counts(outcome.evidence?.series)).toEqual([0, null, null, null]);
  });

  it('is not measured for a path that is not there, not a repository, or has no commits', async () => {
    const missing = await todoTrend({ repository: join(parent, 'nope'), now });
    expect(missing).toMatchObject({ status: 'not_measured', fact: expect.stringContaining('does not exist') });

    const plain = join(parent, 'plain dir');
    mkdirSync(plain);
    const notRepo = await todoTrend({ repository: plain, now });
    expect(notRepo.status).toBe('not_measured');
    expect(notRepo.fact).toMatch(/not a git repository/);

    const empty = join(parent, 'empty');
    mkdirSync(empty);
    execFileSync('git', ['init', '--quiet', empty]);
    const none = await todoTrend({ repository: empty, now });
    expect(none).toMatchObject({ status: 'not_measured', fact: expect.stringContaining('no commits') });
  });

  it('is not steered by the repository’s own configuration', async () => {
    const ran = join(parent, 'fsmonitor-ran');
    // A program as fsmonitor, and settings that would change what grep prints or matches.
    git(['config', 'core.fsmonitor', `touch '${ran}'`]);
    git(['config', 'grep.lineNumber', 'true']);
    git(['config', 'grep.fullName', 'true']);
    git(['config', 'grep.patternType', 'perl']);
    git(['config', 'color.grep', 'always']);
    try {
      const outcome = await todoTrend({ repository: repo, now });
      expect(counts(outcome.evidence?.series)).toEqual([15, 5, 6, 4]);
      expect(existsSync(ran)).toBe(false);
    } finally {
      for (const key of ['core.fsmonitor', 'grep.lineNumber', 'grep.fullName', 'grep.patternType', 'color.grep']) git(['config', '--unset', key]);
    }
  });

  it.skipIf(process.getuid?.() !== 0)('reads a checkout owned by another user (safe.directory)', async () => {
    const foreign = join(parent, 'foreign checkout');
    execFileSync('cp', ['-a', '--', repo, foreign]);
    execFileSync('chown', ['-R', '65534:65534', '--', foreign]);
    // Plain git refuses it ("dubious ownership")…
    expect(() => execFileSync('git', ['-C', foreign, 'rev-parse', 'HEAD'], { stdio: 'pipe', env: { PATH: process.env.PATH, HOME: parent, GIT_CONFIG_NOSYSTEM: '1' } })).toThrow(/dubious ownership/);
    // …the check does not.
    const outcome = await todoTrend({ repository: foreign, now });
    expect(counts(outcome.evidence?.series)).toEqual([15, 5, 6, 4]);
  });

  it('measures a repository URL from a shallow clone in the cache, and again after a fetch', async () => {
    const cacheDir = join(parent, 'clone cache');
    const url = pathToFileURL(repo).href;
    const first = await todoTrend({ repository: url, cacheDir, now });
    expect(first.status).toBe('failed');
    expect(counts(first.evidence?.series)).toEqual([15, 5, 6, 4]);
    expect(first.source).toBe(`git history of ${url}`);
    // The clone is shallow: the commit of 120 days ago stood at the 90-day point and is there; the one of 200 days ago is not needed.
    const [entry] = readdirSync(cacheDir);
    expect(existsSync(join(cacheDir, entry!, 'shallow'))).toBe(true);

    write('new.ts', '// TODO more\n');
    rmSync(join(repo, 'scratch.txt'));
    commitAll('more', 1);
    const second = await todoTrend({ repository: url, cacheDir, now });
    expect(counts(second.evidence?.series)).toEqual([16, 5, 6, 4]);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('does not clone a URL without a cache directory, nor a transport that runs programs', async () => {
    const noCache = await todoTrend({ repository: 'https://example.invalid/repo.git', now });
    expect(noCache).toMatchObject({ status: 'not_measured', fact: expect.stringContaining('no cache directory') });
    // ext:: is not a URL prodeng recognises, so it is taken as a path that does not exist.
    const ext = await todoTrend({ repository: 'ext::sh -c touch% pwned', cacheDir: join(parent, 'c2'), now });
    expect(ext.status).toBe('not_measured');
    expect(readdirSync(process.cwd())).not.toContain('pwned');
  });
});
