import { describe, expect, it } from 'vitest';
import { noProblems } from './backstageEntity.js';
import { deriveRelations } from './deriveRelations.js';
import { readCatalogText } from './readCatalogText.js';

const text = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: cart, namespace: shop }
spec: { type: service, lifecycle: production, owner: team-a, dependsOn: [resource:db], providesApis: [cart-api] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: broken }
spec: { type: service, lifecycle: production, owner: team-a, dependsOn: [db] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: cart, namespace: shop }
spec: { type: service, lifecycle: production, owner: team-b }
`;

describe('deriving relations', () => {
  it('emits each relation and its opposite, defaults from the field and the entity namespace; a broken entity emits nothing; a duplicate loses', () => {
    const problems = noProblems();
    const graph = deriveRelations(readCatalogText(text, 'catalog-info.yaml', problems), problems);
    expect(graph.relations.map((r) => `${r.source} ${r.type} ${r.target}`)).toEqual([
      'api:shop/cart-api apiProvidedBy component:shop/cart',
      'component:shop/cart dependsOn resource:shop/db',
      'component:shop/cart ownedBy group:shop/team-a',
      'component:shop/cart providesApi api:shop/cart-api',
      'group:shop/team-a ownerOf component:shop/cart',
      'resource:shop/db dependencyOf component:shop/cart',
    ]);
    expect(problems.errors).toMatchObject([
      { line: 9, path: 'spec.dependsOn[0]', message: expect.stringContaining('"db" needs a kind') },
      { line: 13, path: 'metadata.name', message: 'component:shop/cart is already defined at catalog-info.yaml:1' },
    ]);
  });
});
