import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPeer, waitFor, type Peer } from '../../../test/support/peers.js';
import { majorVersionsBehind, type DependencyVersions } from './majorVersionsBehind.js';
import { mapWithConcurrency, packumentUrl } from './majorVersionsBehindRegistry.js';

/**
 * Against a real npm registry: verdaccio, started here on a loopback port
 * with no uplinks (it never reaches the internet), the packages published
 * into it with the real npm client.
 */

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'prodeng-majors-'));
let verdaccio: Peer;
let registry: string;

const published: Record<string, string[]> = {
  'left-pad': ['1.0.0', '2.0.0', '3.1.0'],
  '@acme/widget': ['1.2.0', '2.0.0'],
  'fresh-lib': ['4.0.0', '4.1.0'],
  'tool-dev': ['0.9.0', '1.0.0'],
};

async function startVerdaccio(): Promise<void> {
  const port = await freePort();
  registry = `http://127.0.0.1:${port}`;
  const config = join(work, 'verdaccio.yaml');
  // No uplinks and no proxy on any package: what was published here is all there is.
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(work, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(work, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '@*/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const bin = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  verdaccio = startPeer(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`]);
  await waitFor('verdaccio', async () => (await fetch(`${registry}/-/ping`)).ok, 30_000, () => verdaccio.output());
}

/** The user npm adduser would create; verdaccio writes it to its htpasswd and answers with a token. */
async function createPublisher(): Promise<string> {
  const res = await fetch(`${registry}/-/user/org.couchdb.user:publisher`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: 'org.couchdb.user:publisher', name: 'publisher', password: 'correct-horse-battery', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) throw new Error(`verdaccio did not create the user: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

async function publish(token: string): Promise<void> {
  const npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, `//127.0.0.1:${new URL(registry).port}/:_authToken=${token}\n`);
  const env = { PATH: process.env.PATH, HOME: work, npm_config_userconfig: npmrc, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
  // Versions of one package in order (latest ends on the highest); packages side by side.
  await Promise.all(
    Object.entries(published).map(async ([name, versions]) => {
      for (const version of versions) {
        const dir = join(work, 'packages', name, version);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, description: `${name} for the test`, license: 'MIT', main: 'index.js' }));
        writeFileSync(join(dir, 'index.js'), 'module.exports = 1;\n');
        await run('npm', ['publish', '--registry', `${registry}/`, '--access', 'public', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, env });
      }
    }),
  );
}

interface LockSpec {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** node_modules/<name> entries */
  installed: Record<string, Record<string, unknown>>;
  lockfileVersion?: number;
}

/** A repository directory with a package-lock.json of the given shape. */
function repository(name: string, spec: LockSpec): string {
  const dir = join(work, 'repos', name);
  mkdirSync(dir, { recursive: true });
  const packages: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: spec.dependencies, devDependencies: spec.devDependencies } };
  for (const [dep, entry] of Object.entries(spec.installed)) packages[`node_modules/${dep}`] = entry;
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name, version: '1.0.0', lockfileVersion: spec.lockfileVersion ?? 3, requires: true, packages }, null, 2));
  return dir;
}

const fromRegistry = (name: string, version: string) => ({ version, resolved: `${registry}/${name}/-/${name.split('/').pop()}-${version}.tgz`, integrity: 'sha512-test' });

beforeAll(async () => {
  await startVerdaccio();
  await publish(await createPublisher());
}, 120_000);

afterAll(async () => {
  await verdaccio?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('majorVersionsBehind against verdaccio', () => {
  it('fails when direct dependencies are a major or more behind latest, and lists them', async () => {
    const repo = repository('cart', {
      dependencies: { 'left-pad': '^1.0.0', '@acme/widget': '^1.2.0', 'fresh-lib': '^4.0.0', 'old-widget': 'npm:@acme/widget@^1.0.0', 'local-lib': 'file:../local-lib', 'from-git': 'github:acme/from-git' },
      devDependencies: { 'tool-dev': '^0.9.0' },
      installed: {
        'left-pad': fromRegistry('left-pad', '1.0.0'),
        '@acme/widget': fromRegistry('@acme/widget', '1.2.0'),
        'fresh-lib': fromRegistry('fresh-lib', '4.0.0'),
        'old-widget': { ...fromRegistry('@acme/widget', '1.2.0'), name: '@acme/widget' },
        'local-lib': { resolved: '../local-lib', link: true },
        'from-git': { version: '1.0.0', resolved: 'git+ssh://git@github.com/acme/from-git.git#0123456789abcdef' },
        'tool-dev': { ...fromRegistry('tool-dev', '0.9.0'), dev: true },
      },
    });
    const outcome = await majorVersionsBehind({ repository: repo, registry, now: 1_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.fact).toBe(
      '4 of 5 direct dependencies a major version or more behind: left-pad 1.0.0 (latest 3.1.0), @acme/widget 1.2.0 (latest 2.0.0), old-widget 1.2.0 (latest 2.0.0), tool-dev 0.9.0 (latest 1.0.0)',
    );
    expect(outcome.source).toBe(`registry ${registry}, ${join(repo, 'package-lock.json')}`);
    expect(outcome.measuredAt).toBe(1_000);
    const evidence = outcome.evidence as { behind: DependencyVersions[]; dependencies: DependencyVersions[]; skipped: Array<{ name: string; reason: string }> };
    expect(evidence.behind[0]).toEqual({ name: 'left-pad', installed: '1.0.0', latest: '3.1.0', majorsBehind: 2, dev: false });
    expect(evidence.dependencies.find((d) => d.name === 'fresh-lib')).toMatchObject({ latest: '4.1.0', majorsBehind: 0 });
    expect(evidence.skipped.map((s) => s.name).sort()).toEqual(['from-git', 'local-lib']);

    const withoutDev = await majorVersionsBehind({ repository: repo, registry, includeDev: false });
    expect(withoutDev.fact).toMatch(/^3 of 4 direct dependencies/);
    const lenient = await majorVersionsBehind({ repository: repo, registry, thresholds: { maxMajorsBehind: 1 } });
    expect(lenient.fact).toBe('1 of 5 direct dependencies more than 1 major versions behind: left-pad 1.0.0 (latest 3.1.0)');
  });

  it('passes when every direct dependency is on its latest major', async () => {
    const repo = repository('ads', {
      dependencies: { 'fresh-lib': '^4.0.0', '@acme/widget': '^2.0.0' },
      installed: { 'fresh-lib': fromRegistry('fresh-lib', '4.0.0'), '@acme/widget': fromRegistry('@acme/widget', '2.0.0') },
    });
    const outcome = await majorVersionsBehind({ repository: repo, registry });
    expect(outcome).toMatchObject({ status: 'passed', fact: 'all 2 direct dependencies on their latest major version' });
  });

  it('is not measured when a dependency is not on the registry, since that one may be behind', async () => {
    const repo = repository('search', {
      dependencies: { 'fresh-lib': '^4.0.0', 'never-published': '^1.0.0' },
      installed: { 'fresh-lib': fromRegistry('fresh-lib', '4.1.0'), 'never-published': fromRegistry('never-published', '1.0.0') },
    });
    const outcome = await majorVersionsBehind({ repository: repo, registry });
    expect(outcome.status).toBe('not_measured');
    expect(outcome.fact).toBe(`1 of 2 direct dependencies could not be read from the registry (never-published is not on ${registry} (404; a private package on another registry?)); the other 1 are current`);
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('majorVersionsBehind without a usable registry or lockfile', () => {
  const lockOf = (dir: string) => repository(dir, { dependencies: { a: '^1', b: '^1', c: '^1', d: '^1', e: '^1', f: '^1' }, installed: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, { version: '1.0.0', resolved: `http://x/${n}.tgz` }])) });

  it('is not measured when the registry cannot be reached, and says why', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const outcome = await majorVersionsBehind({ repository: lockOf('unreachable'), registry: closed, concurrency: 1 });
    expect(outcome.status).toBe('not_measured');
    expect(outcome.fact).toBe(`6 of 6 direct dependencies could not be read from the registry (cannot reach ${closed} for a: ECONNREFUSED)`);
    const unread = (outcome.evidence as { unread: Array<{ name: string; error: string }> }).unread;
    expect(unread.map((u) => u.error.startsWith('not asked'))).toEqual([false, false, false, true, true, true]);
  });

  it('gives up on a registry that does not answer within the timeout, and stops asking after three failures in a row', async () => {
    const arrivals: number[] = [];
    const sockets = new Set<Socket>();
    // Takes each request and never answers it.
    const silent: Server = createServer(() => arrivals.push(Date.now()));
    silent.on('connection', (s) => sockets.add(s));
    const url = await listen(silent);
    try {
      const started = Date.now();
      const outcome = await majorVersionsBehind({ repository: lockOf('silent'), registry: url, timeoutMs: 300, concurrency: 2 });
      expect(outcome.status).toBe('not_measured');
      expect(outcome.fact).toMatch(/^6 of 6 direct dependencies could not be read/);
      expect(outcome.fact).toContain(`${url} did not answer for a within 300 ms`);
      // Two rounds of two, each ended by the timeout; by then three had failed and the last two were not asked.
      expect(arrivals).toHaveLength(4);
      expect(arrivals[2]! - arrivals[0]!).toBeGreaterThan(200);
      const unread = (outcome.evidence as { unread: Array<{ name: string; error: string }> }).unread;
      expect(unread.find((u) => u.name === 'f')?.error).toMatch(/^not asked: the registry failed \d times in a row \(last: .* did not answer for . within 300 ms\)$/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('keeps to the concurrency limit, addresses scoped names as npm does and sends the read token (a server speaking the packument format)', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: Array<{ path: string; accept: string | undefined; authorization: string | undefined }> = [];
    const slow: Server = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      seen.push({ path: req.url ?? '', accept: req.headers.accept, authorization: req.headers.authorization });
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json' });
        res.end(JSON.stringify({ name: 'x', 'dist-tags': { latest: '1.4.0' }, versions: {} }));
      }, 50);
    });
    const url = await listen(slow);
    try {
      const names = ['a', 'b', '@acme/c', 'd', 'e', 'f'];
      const repo = repository('slow', { dependencies: Object.fromEntries(names.map((n) => [n, '^1'])), installed: Object.fromEntries(names.map((n) => [n, { version: '1.0.0', resolved: `${url}/${n}.tgz` }])) });
      const outcome = await majorVersionsBehind({ repository: repo, registry: `${url}/`, concurrency: 2, authToken: 'read-token' });
      expect(outcome).toMatchObject({ status: 'passed', fact: 'all 6 direct dependencies on their latest major version' });
      expect(most).toBe(2);
      expect(seen.map((r) => r.path).sort()).toEqual(['/@acme%2fc', '/a', '/b', '/d', '/e', '/f']);
      expect(seen[0]!.accept).toContain('application/vnd.npm.install-v1+json');
      expect(seen.every((r) => r.authorization === 'Bearer read-token')).toBe(true);
    } finally {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('is not measured without a lockfile, or with one npm 6 wrote', async () => {
    const bare = join(work, 'repos', 'no-lock');
    mkdirSync(bare, { recursive: true });
    const none = await majorVersionsBehind({ repository: bare, registry: 'http://127.0.0.1:9' });
    expect(none).toMatchObject({ status: 'not_measured', fact: `dependencies not compared: no package-lock.json in ${bare} (run npm install there and commit the lockfile)` });
    const v1 = repository('v1', { lockfileVersion: 1, installed: {} });
    writeFileSync(join(v1, 'package-lock.json'), JSON.stringify({ name: 'v1', lockfileVersion: 1, dependencies: { a: { version: '1.0.0' } } }));
    const old = await majorVersionsBehind({ repository: v1, registry: 'http://127.0.0.1:9' });
    expect(old.status).toBe('not_measured');
    expect(old.fact).toContain('lockfile version 1; only versions 2 and 3');
  });
});

describe('registry addressing', () => {
  it('escapes a scope the way npm does and refuses names that could leave their path segment', () => {
    expect(packumentUrl('http://r.example/npm/', '@acme/widget')).toBe('http://r.example/npm/@acme%2fwidget');
    expect(packumentUrl('https://registry.npmjs.org', 'left-pad')).toBe('https://registry.npmjs.org/left-pad');
    for (const bad of ['../etc/passwd', 'a/b', 'a b', '@acme/../x', 'x?y', 'x#y', '']) expect(packumentUrl('http://r', bad)).toBeNull();
  });

  it('keeps order and the limit when mapping with concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, n * 5));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
