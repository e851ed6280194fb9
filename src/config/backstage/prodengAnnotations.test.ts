import { describe, expect, it } from 'vitest';
import { integrationKeysAnnotation, listAnnotation, pagerDutyKeyEnv, repositoryFromSourceLocation, sourceLocationOf } from './prodengAnnotations.js';

describe('prodeng annotations on Backstage entities', () => {
  it('a source-location is the repository, without the branch and folder of a browser URL', () => {
    expect(repositoryFromSourceLocation('url:https://github.com/acme/shop/tree/main/frontend/')).toBe('https://github.com/acme/shop');
    expect(repositoryFromSourceLocation('url:https://gitlab.example/group/shop/-/tree/main')).toBe('https://gitlab.example/group/shop');
    expect(repositoryFromSourceLocation('url:https://github.com/acme/shop/')).toBe('https://github.com/acme/shop');
    expect(repositoryFromSourceLocation('file:/srv/shop')).toBe('/srv/shop');
  });

  it('what export writes for a repository reads back as it', () => {
    for (const repository of ['https://github.com/acme/shop', '/srv/shop', './shop', 'git@github.com:acme/shop.git']) {
      expect(repositoryFromSourceLocation(sourceLocationOf(repository))).toBe(repository);
    }
  });

  it('lists and key lists', () => {
    expect(listAnnotation('cart, ads  component:search')).toEqual(['cart', 'ads', 'component:search']);
    expect(listAnnotation(undefined)).toEqual([]);
    expect(integrationKeysAnnotation('pagerduty=PD_KEY, broken, ops=OPS_KEY')).toEqual([
      { name: 'pagerduty', env: 'PD_KEY' },
      { name: 'ops', env: 'OPS_KEY' },
    ]);
    expect(pagerDutyKeyEnv('checkout-api.v2')).toBe('PAGERDUTY_INTEGRATION_KEY_CHECKOUT_API_V2');
  });
});
