import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Issue 13: the README pointed at ../shared/DESIGN.md, which a clone does not have.
it('the README and docs link only to files inside the repository, and every one exists', () => {
  const pages = ['README.md', 'docs/security.md', 'docs/BENCHMARKS.md'].filter((p) => existsSync(join(root, p)));
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(root, page), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith('#'));
    const paths = [...text.matchAll(/`(\.\.\/[^`\s]+\.(?:md|ts|js|ya?ml|json))`/g)].map((m) => m[1]!);
    for (const target of [...targets, ...paths]) {
      const file = resolve(root, dirname(page), target.split('#')[0]!);
      if (relative(root, file).startsWith('..')) problems.push(`${page}: ${target} is outside the repository`);
      else if (!existsSync(file)) problems.push(`${page}: ${target} does not exist`);
    }
  }
  expect(problems).toEqual([]);
});
