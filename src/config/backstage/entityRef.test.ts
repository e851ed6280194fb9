import { describe, expect, it } from 'vitest';
import { parseEntityRef, stringifyEntityRef } from './entityRef.js';

describe('Backstage entity refs', () => {
  const group = { defaultKind: 'Group', defaultNamespace: 'default' };

  it('fills in the kind and namespace the field defaults to', () => {
    expect(parseEntityRef('payments', group)).toEqual({ ok: true, ref: { kind: 'Group', namespace: 'default', name: 'payments' } });
    expect(parseEntityRef('ops/sre', group)).toEqual({ ok: true, ref: { kind: 'Group', namespace: 'ops', name: 'sre' } });
    expect(parseEntityRef('user:alice', { defaultKind: 'Group', defaultNamespace: 'ops' })).toEqual({ ok: true, ref: { kind: 'user', namespace: 'ops', name: 'alice' } });
  });

  it('a slash before the first colon means there is no kind', () => {
    expect(parseEntityRef('ops/a:b', group)).toEqual({ ok: true, ref: { kind: 'Group', namespace: 'ops', name: 'a:b' } });
  });

  it('without a default kind (dependsOn), a ref without one is an error that says what to write', () => {
    const parsed = parseEntityRef('orders-db', { defaultNamespace: 'default' });
    expect(parsed).toMatchObject({ ok: false, code: 'missing-kind' });
    expect(!parsed.ok && parsed.message).toContain('"resource:orders-db"');
  });

  it('an empty part is malformed', () => {
    for (const text of ['', 'group:', ':x', 'x/', 'group:/x']) expect(parseEntityRef(text, group)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('stringifies lowercase, as the catalog stores relation targets', () => {
    expect(stringifyEntityRef({ kind: 'Component', namespace: 'Ops', name: 'Cart' })).toBe('component:ops/cart');
  });
});
