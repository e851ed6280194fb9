import { describe, expect, it } from 'vitest';
import { noProblems } from './backstageEntity.js';
import { readCatalogText } from './readCatalogText.js';

describe('reading a catalog file', () => {
  it('keeps the built-in kinds, skips what is not an entity or a kind prodeng maps, and calls a near miss a typo', () => {
    const text = [
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: a }\nspec: { type: team, children: [] }',
      'apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: { name: new-service }\nspec: {}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }',
      'apiVersion: backstage.io/v1alpha1\nkind: Compnent\nmetadata: { name: b }\nspec: {}',
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: "-c" }\nspec: { type: service, lifecycle: production, owner: a, extra: kept }',
    ].join('\n---\n');
    const problems = noProblems();
    const entities = readCatalogText(text, 'catalog-info.yaml', problems);
    expect(entities.map((e) => e.entity.metadata.name)).toEqual(['a']);
    expect(problems.warnings).toMatchObject([
      { line: 7, path: 'kind', message: expect.stringContaining('Backstage kind "Template" is not imported') },
      { line: 11, path: 'apiVersion', message: expect.stringContaining('not a Backstage entity') },
    ]);
    expect(problems.errors).toMatchObject([
      { line: 16, path: 'kind', message: expect.stringContaining('unknown Backstage kind "Compnent" (did you mean "Component"?') },
      { line: 22, path: 'metadata.name', message: expect.stringContaining('Backstage object name') },
    ]);
  });
});
