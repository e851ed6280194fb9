import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The direct dependencies of a repository as npm installed them, from its
 * package-lock.json (lockfile v2 or v3: the `packages` map, whose "" entry is
 * the root package and whose "node_modules/<name>" entries are what is
 * installed at the top).
 */

export interface DirectDependency {
  /** the name the root package depends on (an alias when installed as npm:other@…) */
  name: string;
  /** the package on the registry (differs from name for an alias) */
  registryName: string;
  installed: string;
  dev: boolean;
}

export interface SkippedDependency {
  name: string;
  /** why it is not compared with the registry */
  reason: string;
}

export type LockfileResult =
  | { ok: true; lockfile: string; dependencies: DirectDependency[]; skipped: SkippedDependency[] }
  | { ok: false; error: string };

const lockEntry = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  resolved: z.string().optional(),
  link: z.boolean().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
});

const lockfileSchema = z.looseObject({
  lockfileVersion: z.number(),
  packages: z.record(z.string(), lockEntry).optional(),
});

export async function readDirectDependencies(repository: string): Promise<LockfileResult> {
  const lockfile = join(repository, 'package-lock.json');
  let text: string;
  try {
    text = await readFile(lockfile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, error: code === 'ENOENT' ? `no package-lock.json in ${repository} (run npm install there and commit the lockfile)` : `cannot read ${lockfile}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${lockfile} is not JSON: ${(err as Error).message}` };
  }
  const parsed = lockfileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `${lockfile} is not an npm lockfile: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}` };
  const { lockfileVersion, packages } = parsed.data;
  // v1 has no packages map (npm 6 and older); npm 7+ rewrites it as v2 on the next install.
  if (lockfileVersion < 2 || !packages) return { ok: false, error: `${lockfile} is lockfile version ${lockfileVersion}; only versions 2 and 3 (npm 7 and later) are read: run npm install with a current npm` };
  const root = packages[''];
  if (!root) return { ok: false, error: `${lockfile} has no root package entry ("" in packages)` };

  const dependencies: DirectDependency[] = [];
  const skipped: SkippedDependency[] = [];
  const direct: Array<[string, boolean]> = [
    ...Object.keys(root.dependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ...Object.keys(root.devDependencies ?? {}).map((n): [string, boolean] => [n, true]),
  ];
  const seen = new Set<string>();
  for (const [name, dev] of direct) {
    // Listed in both: counted once, as a runtime dependency.
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = packages[`node_modules/${name}`];
    if (!entry) {
      skipped.push({ name, reason: 'not installed in the lockfile (an optional dependency for another platform?)' });
      continue;
    }
    if (entry.link) {
      skipped.push({ name, reason: 'a workspace or local link, not from a registry' });
      continue;
    }
    if (entry.resolved && !/^https?:\/\//.test(entry.resolved)) {
      skipped.push({ name, reason: `installed from ${entry.resolved.split(':')[0]}, not from a registry` });
      continue;
    }
    if (!entry.version) {
      skipped.push({ name, reason: 'no version recorded in the lockfile' });
      continue;
    }
    dependencies.push({ name, registryName: entry.name ?? name, installed: entry.version, dev });
  }
  return { ok: true, lockfile, dependencies, skipped };
}
