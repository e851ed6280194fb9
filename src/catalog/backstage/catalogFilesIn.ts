import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Backstage's conventional file name; other YAML in a repository (CI, Kubernetes) is not catalog data. */
const CATALOG_FILE = /^catalog-info\.ya?ml$/;
/** Folders that hold someone else's files, or none worth reading. */
const SKIPPED = new Set(['node_modules', 'dist', 'build', 'vendor']);

/** Every catalog-info.yaml under `dir`, in a stable order; hidden and dependency folders are not entered. */
export async function catalogFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED.has(entry.name)) found.push(...(await catalogFilesIn(path)));
    } else if (entry.isFile() && CATALOG_FILE.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}
