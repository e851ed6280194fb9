import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noProblems } from './backstageEntity.js';
import { followLocations } from './followLocations.js';

const location = (spec: string) => `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: root }\nspec: ${spec}\n`;
const group = (name: string) => `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: ${name} }\nspec: { type: team, children: [] }\n`;

describe('following Locations', () => {
  it('reads file targets relative to the Location, each once; an optional missing one is no error, a required one is, at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-locations-'));
    writeFileSync(join(dir, 'root.yaml'), location('{ targets: [./a.yaml, ./a.yaml, ./missing.yaml, "./**/catalog-info.yaml"] }'));
    writeFileSync(join(dir, 'a.yaml'), `${group('a')}---\n${location('{ target: ./root.yaml }')}`);
    const problems = noProblems();
    const entities = await followLocations([{ type: 'file', path: join(dir, 'root.yaml') }], {}, problems);
    expect(entities.map((e) => `${e.entity.kind}:${e.entity.metadata.name}`)).toEqual(['Location:root', 'Group:a', 'Location:root']);
    expect(problems.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`)).toEqual([`4: spec.targets[2]: cannot read ${join(dir, 'missing.yaml')}: no such file`]);
    expect(problems.warnings.map((e) => e.path)).toEqual(['spec.targets[3]']);

    const optional = noProblems();
    writeFileSync(join(dir, 'optional.yaml'), location('{ presence: optional, target: ./missing.yaml }'));
    await followLocations([{ type: 'file', path: join(dir, 'optional.yaml') }], {}, optional);
    expect(optional.errors).toEqual([]);
  });

  it('resolves targets of a Location read over HTTP against its URL, and refuses local files there', async () => {
    const served: Record<string, string> = {
      'https://catalog.example/root.yaml': location('{ targets: [./teams/a.yaml] }'),
      'https://catalog.example/teams/a.yaml': `${group('a')}---\n${location('{ type: file, target: /etc/passwd }')}`,
    };
    const fetched: string[] = [];
    const problems = noProblems();
    const entities = await followLocations([{ type: 'url', url: 'https://catalog.example/root.yaml' }], { fetchText: async (url) => (fetched.push(url), served[url]!) }, problems);
    expect(fetched).toEqual(['https://catalog.example/root.yaml', 'https://catalog.example/teams/a.yaml']);
    expect(entities.map((e) => e.entity.metadata.name)).toEqual(['root', 'a', 'root']);
    expect(problems.errors).toMatchObject([{ file: 'https://catalog.example/teams/a.yaml', path: 'spec.target', message: expect.stringContaining('cannot name local files') }]);
  });

  it('without a fetcher, url targets are skipped with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-locations-url-'));
    writeFileSync(join(dir, 'root.yaml'), location('{ type: url, target: "https://catalog.example/x.yaml" }'));
    const problems = noProblems();
    await followLocations([{ type: 'file', path: join(dir, 'root.yaml') }], {}, problems);
    expect(problems.errors).toEqual([]);
    expect(problems.warnings).toMatchObject([{ path: 'spec.target', message: expect.stringContaining('is not fetched here') }]);
  });
});
