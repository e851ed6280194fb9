import { entityRefOf, type PlacedEntity, type Problems } from './backstageEntity.js';
import { parseEntityRef, stringifyEntityRef, type EntityRef } from './entityRef.js';
import { OPPOSITE_RELATION, RELATION_FIELDS } from './relationFields.js';

/** One relation as the catalog stores it: both ends as lowercase `kind:namespace/name`. */
export interface Relation {
  source: string;
  type: string;
  target: string;
}

/** One ref an entity wrote, parsed: what the mapping to prodeng reads (with the field, to point at it). */
export interface Edge {
  from: PlacedEntity;
  field: string;
  /** the index in a list field; undefined for a single ref */
  index: number | undefined;
  relation: string;
  target: EntityRef;
}

export interface CatalogGraph {
  /** the entities that made it into the catalog (valid, unique, every ref well-formed), by their stringified ref */
  entities: Map<string, PlacedEntity>;
  edges: Edge[];
  /** every relation, both directions, each once, sorted */
  relations: Relation[];
}

/**
 * The relations Backstage's catalog derives from these entities: each ref in a
 * relation field gives the field's relation from the entity to the target and
 * the opposite one back. As in the catalog, an entity with a malformed ref
 * fails processing as a whole (it emits nothing), and a second entity with
 * the same ref is a conflict that loses to the first. A ref to an entity that
 * is not in the catalog still gives its relations (Backstage keeps dangling
 * relations); what to do with it is the mapping's business.
 */
export function deriveRelations(placed: readonly PlacedEntity[], problems: Problems): CatalogGraph {
  const entities = new Map<string, PlacedEntity>();
  // Every ref claimed, broken entities too, so that a duplicate of a broken one is still a conflict, as in the catalog.
  const claimed = new Map<string, PlacedEntity>();
  const edges: Edge[] = [];
  for (const item of placed) {
    const self = entityRefOf(item.entity);
    const key = stringifyEntityRef(self);
    const first = claimed.get(key);
    if (first) {
      problems.errors.push(item.place.error(['metadata', 'name'], `${key} is already defined at ${first.source.file}:${first.source.line}`));
      continue;
    }
    const own: Edge[] = [];
    let broken = false;
    for (const { field, relation, defaultKind } of RELATION_FIELDS[item.entity.kind]) {
      const value = item.entity.spec[field];
      if (value === undefined) continue;
      const list = Array.isArray(value) ? (value as string[]) : [value as string];
      list.forEach((text, i) => {
        const index = Array.isArray(value) ? i : undefined;
        const parsed = parseEntityRef(text, { defaultKind, defaultNamespace: self.namespace });
        if (!parsed.ok) {
          problems.errors.push(item.place.error(index === undefined ? ['spec', field] : ['spec', field, index], parsed.message));
          broken = true;
          return;
        }
        own.push({ from: item, field, index, relation, target: parsed.ref });
      });
    }
    claimed.set(key, item);
    if (broken) continue;
    entities.set(key, item);
    edges.push(...own);
  }

  const seen = new Map<string, Relation>();
  const add = (source: string, type: string, target: string) => seen.set(`${source} ${type} ${target}`, { source, type, target });
  for (const edge of edges) {
    const source = stringifyEntityRef(entityRefOf(edge.from.entity));
    const target = stringifyEntityRef(edge.target);
    add(source, edge.relation, target);
    add(target, OPPOSITE_RELATION[edge.relation]!, source);
  }
  const relations = [...seen.values()].sort((a, b) => compare(a.source, b.source) || compare(a.type, b.type) || compare(a.target, b.target));
  return { entities, edges, relations };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
