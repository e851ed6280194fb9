// Backstage entity references, `[kind:][namespace/]name`, read by the rules of
// @backstage/catalog-model's parseEntityRef: a slash before the first colon
// means there is no kind (`ns/a:b` is namespace ns, name a:b); a missing kind
// or namespace takes the field's default; the kind has no default in some
// fields (dependsOn), and there a ref without one is an error, not a guess.
// References compare without case, as the catalog compares them.

export const DEFAULT_NAMESPACE = 'default';

export interface EntityRef {
  /** as written or defaulted, e.g. Group or group */
  kind: string;
  namespace: string;
  name: string;
}

export interface RefDefaults {
  /** the kind a ref without one gets; none means such a ref is an error */
  defaultKind?: string | undefined;
  /** the namespace a ref without one gets; the referring entity's own */
  defaultNamespace: string;
}

export type RefParse = { ok: true; ref: EntityRef } | { ok: false; code: 'malformed' | 'missing-kind'; message: string };

export function parseEntityRef(text: string, defaults: RefDefaults): RefParse {
  if (text === '') return { ok: false, code: 'malformed', message: 'an entity reference must not be empty' };
  let colon = text.indexOf(':');
  const slash = text.indexOf('/');
  if (slash !== -1 && slash < colon) colon = -1;
  const kind = colon === -1 ? undefined : text.slice(0, colon);
  const namespace = slash === -1 ? undefined : text.slice(colon + 1, slash);
  const name = text.slice(Math.max(colon + 1, slash + 1));
  if (kind === '' || namespace === '' || name === '') {
    return { ok: false, code: 'malformed', message: `entity reference "${text}" is not of the form [kind:][namespace/]name` };
  }
  const resolvedKind = kind ?? defaults.defaultKind;
  if (!resolvedKind) {
    return { ok: false, code: 'missing-kind', message: `entity reference "${text}" needs a kind here (this field has no default kind), e.g. "component:${text}" or "resource:${text}"` };
  }
  return { ok: true, ref: { kind: resolvedKind, namespace: namespace ?? defaults.defaultNamespace, name } };
}

/** `component:default/checkout`: lowercase, the form the catalog stores relation targets in. */
export function stringifyEntityRef(ref: EntityRef): string {
  return `${ref.kind.toLowerCase()}:${ref.namespace.toLowerCase()}/${ref.name.toLowerCase()}`;
}
