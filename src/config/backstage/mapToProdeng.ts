import type { ConfigDoc, SourcePlace } from '../configDoc.js';
import type { ObjectPlace } from '../openslo/translateOpenSlo.js';
import type { PlacedEntity, Problems } from './backstageEntity.js';
import type { CatalogGraph } from './deriveRelations.js';
import { mapGroup, mapUser } from './mapPeople.js';
import { mapService } from './mapService.js';
import { isProdengName } from './prodengName.js';

/** A prodeng document made from a Backstage entity; its problems go to the entity's place. */
export interface MappedDoc {
  doc: ConfigDoc;
  place: ObjectPlace;
}

export interface Mapping {
  docs: MappedDoc[];
  /**
   * Every prodeng name an entity claims, its document made or not: a broken
   * Group is one error, not one more per Service it owns.
   */
  declared: Array<{ kind: string; name: string; source: SourcePlace; place: ObjectPlace }>;
}

/** What the mapping of one entity may use: the whole catalog and a way to report. */
export interface MappingContext {
  graph: CatalogGraph;
  problems: Problems;
}

const MAPPED_KINDS: Record<string, string> = { Group: 'Team', User: 'User', Component: 'Service', Resource: 'Service' };

/**
 * Backstage entities as prodeng documents: each Group a Team, each User a
 * User, each Component (and Resource, since components depend on them) a
 * Service. Systems, APIs, Domains and Locations shape those documents but are
 * not documents themselves. Names must be valid prodeng names: prodeng has no
 * namespaces, so two entities that differ only in namespace are a conflict.
 */
export function mapToProdeng(graph: CatalogGraph, problems: Problems): Mapping {
  const context: MappingContext = { graph, problems };
  const out: MappedDoc[] = [];
  const declared: Mapping['declared'] = [];
  const first = new Map<string, PlacedEntity>();
  for (const item of graph.entities.values()) {
    const kind = MAPPED_KINDS[item.entity.kind];
    if (!kind) continue;
    const name = item.entity.metadata.name;
    if (!isProdengName(name, item.place, ['metadata', 'name'], problems)) continue;
    const earlier = first.get(`${kind}/${name}`);
    if (earlier) {
      problems.errors.push(item.place.error(['metadata', 'name'], `${kind} "${name}" is already defined at ${earlier.source.file}:${earlier.source.line} (prodeng has no namespaces: names must differ across them)`));
      continue;
    }
    first.set(`${kind}/${name}`, item);
    declared.push({ kind, name, source: item.source, place: item.place });
    const spec = item.entity.kind === 'Group' ? mapGroup(item, context) : item.entity.kind === 'User' ? mapUser(item, context) : mapService(item, context);
    if (spec === undefined) continue;
    const labels = item.entity.metadata.labels;
    const doc: ConfigDoc = { kind, name, metadata: { name, ...(labels && Object.keys(labels).length ? { labels } : {}) }, spec, source: item.source };
    out.push({ doc, place: item.place });
  }
  return { docs: out, declared };
}
