import type { DocPath } from '../documentPlace.js';
import { serviceSpecSchema, type ServiceSpec } from '../kinds.js';
import { entityRefOf, type PlacedEntity } from './backstageEntity.js';
import type { ComponentSpec } from './backstageSchemas.js';
import { checkMappedSpec } from './checkMappedSpec.js';
import type { Edge } from './deriveRelations.js';
import { parseEntityRef, stringifyEntityRef, type EntityRef } from './entityRef.js';
import type { MappingContext } from './mapToProdeng.js';
import { isProdengName } from './prodengName.js';
import {
  BACKSTAGE_KIND,
  BACKSTAGE_TYPE,
  GITHUB_PROJECT_SLUG,
  INTEGRATION_KEYS,
  integrationKeysAnnotation,
  listAnnotation,
  OPTIONAL_DEPENDENCIES,
  PAGERDUTY_INTEGRATION_KEY,
  pagerDutyKeyEnv,
  PHASE,
  repositoryFromSourceLocation,
  SOURCE_LOCATION,
  sourceLocationOf,
} from './prodengAnnotations.js';

/** Annotations that become fields (or, for the PagerDuty key, are never copied); the rest are kept as they are. */
const CONSUMED = new Set([OPTIONAL_DEPENDENCIES, PHASE, INTEGRATION_KEYS, BACKSTAGE_KIND, BACKSTAGE_TYPE, PAGERDUTY_INTEGRATION_KEY]);

/**
 * A Component (or Resource) as a Service: owner, system, lifecycle, links,
 * repository, annotations, and what it depends on. A dependency comes from
 * the entity's own dependsOn, another's dependencyOf naming it, or an API it
 * consumes that another Component provides; it is required unless the
 * entity's prodeng.dev/optional-dependencies lists it, because Backstage's
 * dependsOn means "needs the other entity to function".
 */
export function mapService(item: PlacedEntity, context: MappingContext): ServiceSpec | undefined {
  const { problems } = context;
  const { metadata } = item.entity;
  const spec = item.entity.spec as ComponentSpec;
  const annotations = metadata.annotations ?? {};
  const owner = ownerTeam(item, context);
  const system = systemName(item, context);
  const dependsOn = dependencies(item, context);
  if (owner === undefined || system === null || dependsOn === undefined) return undefined;

  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) if (!CONSUMED.has(key)) kept[key] = value;
  if (item.entity.kind === 'Resource') kept[BACKSTAGE_KIND] = 'Resource';
  if (spec.type !== 'service' || item.entity.kind === 'Resource') kept[BACKSTAGE_TYPE] = spec.type;

  const repository = repositoryOf(annotations);
  // A source-location that the repository field says exactly is the repository field; one with more (a folder) is kept.
  if (repository !== undefined && kept[SOURCE_LOCATION] === sourceLocationOf(repository)) delete kept[SOURCE_LOCATION];
  if (repository !== undefined && annotations[SOURCE_LOCATION] === undefined) delete kept[GITHUB_PROJECT_SLUG];

  const integrationKeys = integrationKeysAnnotation(annotations[INTEGRATION_KEYS]);
  if (annotations[PAGERDUTY_INTEGRATION_KEY] !== undefined) {
    const env = pagerDutyKeyEnv(item.entity.metadata.name);
    // The value is a secret (it lets anyone page this service): only the variable's name goes into the config, and never the value into a message.
    problems.warnings.push(
      item.place.error(['metadata', 'annotations', PAGERDUTY_INTEGRATION_KEY], `the PagerDuty integration key is a secret and is not copied: it becomes integration key "pagerduty" read from environment variable ${env}; set ${env} to it`),
    );
    if (!integrationKeys.some((k) => k.name === 'pagerduty')) integrationKeys.push({ name: 'pagerduty', env });
  }

  const links = (metadata.links ?? []).map((l) => ({ url: l.url, ...(l.title ? { title: l.title } : {}), ...(l.type ? { type: l.type } : {}) }));
  const input: Record<string, unknown> = {
    owner,
    ...(metadata.description ? { description: metadata.description } : {}),
    ...(system ? { system } : {}),
    ...(spec.lifecycle ? { lifecycle: spec.lifecycle } : {}),
    ...(annotations[PHASE] !== undefined ? { phase: annotations[PHASE] } : {}),
    ...(repository !== undefined ? { repository } : {}),
    ...(links.length ? { links } : {}),
    ...(Object.keys(kept).length ? { annotations: kept } : {}),
    ...(integrationKeys.length ? { integrationKeys } : {}),
    ...(dependsOn.length ? { dependsOn } : {}),
  };
  const from = (path: readonly PropertyKey[]): DocPath => {
    switch (path[0]) {
      case 'owner':
      case 'lifecycle':
      case 'system':
        return ['spec', path[0]];
      case 'description':
        return ['metadata', 'description'];
      case 'links':
        return ['metadata', ...path];
      case 'phase':
        return ['metadata', 'annotations', PHASE];
      case 'integrationKeys':
        return ['metadata', 'annotations', INTEGRATION_KEYS];
      case 'repository':
        return ['metadata', 'annotations', annotations[SOURCE_LOCATION] !== undefined ? SOURCE_LOCATION : GITHUB_PROJECT_SLUG];
      case 'annotations':
        return ['metadata', 'annotations', ...path.slice(1)];
      default:
        return ['spec'];
    }
  };
  return checkMappedSpec(serviceSpecSchema, 'Service', input, item, from, problems);
}

function repositoryOf(annotations: Record<string, string>): string | undefined {
  const location = annotations[SOURCE_LOCATION];
  if (location !== undefined) return repositoryFromSourceLocation(location);
  const slug = annotations[GITHUB_PROJECT_SLUG];
  return slug !== undefined ? `https://github.com/${slug}` : undefined;
}

/** The Team that owns it: its owner Group, or the one Group of an owner User; undefined after an error. */
function ownerTeam(item: PlacedEntity, { graph, problems }: MappingContext): string | undefined {
  const edge = graph.edges.find((e) => e.from === item && e.field === 'owner');
  if (!edge) return undefined; // the schema requires an owner
  const ref = stringifyEntityRef(edge.target);
  const owner = graph.entities.get(ref);
  const at: DocPath = ['spec', 'owner'];
  if (!owner) {
    const groups = [...graph.entities.values()].filter((e) => e.entity.kind === 'Group').map((e) => e.entity.metadata.name);
    problems.errors.push(item.place.error(at, `owner ${ref} is not in the catalog; a prodeng Service needs its owner Team (groups in the catalog: ${groups.join(', ') || 'none'})`));
    return undefined;
  }
  if (owner.entity.kind === 'Group') return owner.entity.metadata.name;
  if (owner.entity.kind === 'User') {
    const groups = graph.relations.filter((r) => r.source === ref && r.type === 'memberOf' && graph.entities.get(r.target)?.entity.kind === 'Group').map((r) => graph.entities.get(r.target)!.entity.metadata.name);
    if (groups.length === 1) {
      problems.warnings.push(item.place.error(at, `owner ${ref} is a User; the Service is owned by their team "${groups[0]}" (prodeng services are owned by teams)`));
      return groups[0];
    }
    problems.errors.push(item.place.error(at, `owner ${ref} is a User in ${groups.length === 0 ? 'no group' : `${groups.length} groups (${groups.join(', ')})`}; a prodeng Service is owned by a Team: make the owner a Group`));
    return undefined;
  }
  problems.errors.push(item.place.error(at, `owner ${ref} is a ${owner.entity.kind}; the owner must be a Group (or a User in one group)`));
  return undefined;
}

/** The System's name; undefined without one, null after an error. */
function systemName(item: PlacedEntity, { graph, problems }: MappingContext): string | undefined | null {
  const edge = graph.edges.find((e) => e.from === item && e.field === 'system');
  if (!edge) return undefined;
  if (!graph.entities.has(stringifyEntityRef(edge.target))) problems.warnings.push(item.place.error(['spec', 'system'], `system ${stringifyEntityRef(edge.target)} is not in the catalog; the name is kept`));
  return isProdengName(edge.target.name, item.place, ['spec', 'system'], problems) ? edge.target.name : null;
}

interface Candidate {
  service: PlacedEntity;
  /** the refs that make it one (the target itself, or an API it provides), any of which the optional list may name */
  via: EntityRef[];
}

/** Its prodeng dependsOn, in the order written; undefined after an error. */
function dependencies(item: PlacedEntity, { graph, problems }: MappingContext): Array<{ service: string; required: boolean }> | undefined {
  const self = entityRefOf(item.entity);
  const selfKey = stringifyEntityRef(self);
  const candidates: Candidate[] = [];
  const addTarget = (target: EntityRef, edge: Edge, via: EntityRef[]) => {
    const key = stringifyEntityRef(target);
    const found = graph.entities.get(key);
    const at: DocPath = edge.index === undefined ? ['spec', edge.field] : ['spec', edge.field, edge.index];
    if (!found) return problems.warnings.push(edge.from.place.error(at, `${key} is not in the catalog; this dependency is not imported`));
    if (found.entity.kind !== 'Component' && found.entity.kind !== 'Resource') return problems.warnings.push(edge.from.place.error(at, `${key} is a ${found.entity.kind}; only Components and Resources become prodeng dependencies`));
    if (key !== selfKey) candidates.push({ service: found, via });
  };
  for (const edge of graph.edges) {
    if (edge.from === item && edge.field === 'dependsOn') addTarget(edge.target, edge, [edge.target]);
    // Another entity's dependencyOf naming this one says the same as this one's dependsOn naming it.
    if (edge.from !== item && edge.field === 'dependencyOf' && stringifyEntityRef(edge.target) === selfKey) addTarget(entityRefOf(edge.from.entity), edge, [entityRefOf(edge.from.entity)]);
  }
  for (const edge of graph.edges) {
    if (edge.from !== item || edge.field !== 'consumesApis') continue;
    const api = stringifyEntityRef(edge.target);
    const providers = graph.edges.filter((e) => e.field === 'providesApis' && stringifyEntityRef(e.target) === api && e.from !== item);
    if (providers.length === 0) problems.warnings.push(item.place.error(['spec', 'consumesApis', edge.index ?? 0], `no Component in the catalog provides ${api}; it gives no dependency`));
    for (const p of providers) candidates.push({ service: p.from, via: [entityRefOf(p.from.entity), edge.target] });
  }

  const optional = listAnnotation(item.entity.metadata.annotations?.[OPTIONAL_DEPENDENCIES]);
  const matches = (entry: string, ref: EntityRef) => {
    const parsed = parseEntityRef(entry, { defaultKind: ref.kind, defaultNamespace: self.namespace });
    return parsed.ok && stringifyEntityRef(parsed.ref) === stringifyEntityRef(ref);
  };
  const used = new Set<string>();
  const out: Array<{ service: string; required: boolean }> = [];
  for (const c of candidates) {
    const name = c.service.entity.metadata.name;
    const listed = optional.filter((entry) => c.via.some((ref) => matches(entry, ref)));
    for (const entry of listed) used.add(entry);
    const required = listed.length === 0;
    const existing = out.find((d) => d.service === name);
    // Two ways to the same service: it is required if either says so.
    if (existing) existing.required ||= required;
    else out.push({ service: name, required });
  }
  for (const entry of optional) {
    if (!used.has(entry)) problems.warnings.push(item.place.error(['metadata', 'annotations', OPTIONAL_DEPENDENCIES], `"${entry}" is not one of this entity's dependencies (${out.map((d) => d.service).join(', ') || 'none'})`));
  }
  return out;
}
