// Which fields of which kind the Backstage catalog turns into relations, with
// the default kind of a ref in that field, as its built-in kinds processor
// does (and as @backstage/catalog-model's kind specs declare): `spec.owner` is
// a Group unless it says otherwise, `dependsOn` has no default and must be
// typed, `providesApis` are APIs, `system` a System, and so on. Every field's
// default namespace is the referring entity's own.

export const BACKSTAGE_KINDS = ['Component', 'System', 'API', 'Resource', 'Group', 'User', 'Domain', 'Location'] as const;
export type BackstageKind = (typeof BACKSTAGE_KINDS)[number];

export interface RelationField {
  /** the spec field, a ref or a list of refs */
  field: string;
  /** the relation from the entity to each ref */
  relation: string;
  defaultKind?: string;
}

export const RELATION_FIELDS: Record<BackstageKind, readonly RelationField[]> = {
  Component: [
    { field: 'owner', relation: 'ownedBy', defaultKind: 'Group' },
    { field: 'subcomponentOf', relation: 'partOf', defaultKind: 'Component' },
    { field: 'providesApis', relation: 'providesApi', defaultKind: 'API' },
    { field: 'consumesApis', relation: 'consumesApi', defaultKind: 'API' },
    { field: 'dependsOn', relation: 'dependsOn' },
    { field: 'dependencyOf', relation: 'dependencyOf' },
    { field: 'system', relation: 'partOf', defaultKind: 'System' },
  ],
  API: [
    { field: 'owner', relation: 'ownedBy', defaultKind: 'Group' },
    { field: 'system', relation: 'partOf', defaultKind: 'System' },
  ],
  Resource: [
    { field: 'owner', relation: 'ownedBy', defaultKind: 'Group' },
    { field: 'dependsOn', relation: 'dependsOn' },
    { field: 'dependencyOf', relation: 'dependencyOf' },
    { field: 'system', relation: 'partOf', defaultKind: 'System' },
  ],
  User: [{ field: 'memberOf', relation: 'memberOf', defaultKind: 'Group' }],
  Group: [
    { field: 'parent', relation: 'childOf', defaultKind: 'Group' },
    { field: 'children', relation: 'parentOf', defaultKind: 'Group' },
    { field: 'members', relation: 'hasMember', defaultKind: 'User' },
  ],
  System: [
    { field: 'owner', relation: 'ownedBy', defaultKind: 'Group' },
    { field: 'domain', relation: 'partOf', defaultKind: 'Domain' },
  ],
  Domain: [
    { field: 'owner', relation: 'ownedBy', defaultKind: 'Group' },
    { field: 'subdomainOf', relation: 'partOf', defaultKind: 'Domain' },
  ],
  Location: [],
};

/** Every relation is emitted with its opposite on the other entity. */
export const OPPOSITE_RELATION: Record<string, string> = {
  ownedBy: 'ownerOf',
  ownerOf: 'ownedBy',
  providesApi: 'apiProvidedBy',
  apiProvidedBy: 'providesApi',
  consumesApi: 'apiConsumedBy',
  apiConsumedBy: 'consumesApi',
  dependsOn: 'dependencyOf',
  dependencyOf: 'dependsOn',
  parentOf: 'childOf',
  childOf: 'parentOf',
  memberOf: 'hasMember',
  hasMember: 'memberOf',
  partOf: 'hasPart',
  hasPart: 'partOf',
};
