import type { LoadedConfig } from '../../config/loadedConfig.js';
import type { ServiceSpec } from '../../config/kinds.js';
import {
  BACKSTAGE_KIND,
  BACKSTAGE_TYPE,
  INTEGRATION_KEYS,
  OPTIONAL_DEPENDENCIES,
  PHASE,
  repositoryFromSourceLocation,
  SOURCE_LOCATION,
  sourceLocationOf,
  TIME_ZONE,
} from '../../config/backstage/prodengAnnotations.js';

// The fields the user adds to the Service kind (system, lifecycle, phase,
// repository, links, annotations), read whether or not this checkout's
// ServiceSpec type has them yet.
type ServiceFields = ServiceSpec & {
  system?: string;
  lifecycle?: string;
  phase?: string;
  repository?: string;
  links?: Array<{ url: string; title?: string; type?: string }>;
  annotations?: Record<string, string>;
};

const API_VERSION = 'backstage.io/v1alpha1';
/** Backstage requires a lifecycle on a Component; a prodeng Service without one is taken to be running in production. */
const DEFAULT_LIFECYCLE = 'production';

/**
 * prodeng Teams, Users and Services as Backstage entities: a Group per Team
 * (its members in spec.members, so membership is said once), a User per User,
 * a Component per Service (a Resource for one imported from a Resource) with
 * its owner, system, lifecycle and typed dependsOn refs. What Backstage has no
 * field for goes in prodeng.dev/ annotations, so that importing the result
 * gives back the same documents; secrets never appear, only the names of the
 * environment variables that hold them.
 */
export function exportCatalog(config: LoadedConfig): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const byName = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

  for (const team of byName(config.teams)) {
    out.push({
      apiVersion: API_VERSION,
      kind: 'Group',
      metadata: { name: team.name, ...(team.spec.description ? { description: team.spec.description } : {}), ...labels(team.metadata.labels) },
      spec: { type: 'team', children: [], members: (team.spec.members ?? []).map((m) => m.user) },
    });
  }
  for (const user of byName(config.users)) {
    const profile = { ...(user.spec.displayName ? { displayName: user.spec.displayName } : {}), ...(user.spec.email ? { email: user.spec.email } : {}) };
    out.push({
      apiVersion: API_VERSION,
      kind: 'User',
      metadata: { name: user.name, ...labels(user.metadata.labels), ...(user.spec.timeZone ? { annotations: { [TIME_ZONE]: user.spec.timeZone } } : {}) },
      spec: { ...(Object.keys(profile).length ? { profile } : {}), memberOf: [] },
    });
  }
  const kindOf = (name: string) => ((config.services.get(name)?.spec as ServiceFields | undefined)?.annotations?.[BACKSTAGE_KIND] === 'Resource' ? 'resource' : 'component');
  for (const service of byName(config.services)) {
    const spec = service.spec as ServiceFields;
    const { [BACKSTAGE_KIND]: kind, [BACKSTAGE_TYPE]: type, ...annotations } = spec.annotations ?? {};
    if (spec.repository !== undefined && (annotations[SOURCE_LOCATION] === undefined || repositoryFromSourceLocation(annotations[SOURCE_LOCATION]) !== spec.repository)) {
      annotations[SOURCE_LOCATION] = sourceLocationOf(spec.repository);
    }
    if (spec.phase) annotations[PHASE] = spec.phase;
    const optional = (spec.dependsOn ?? []).filter((d) => !d.required).map((d) => d.service);
    if (optional.length) annotations[OPTIONAL_DEPENDENCIES] = optional.join(', ');
    if (spec.integrationKeys?.length) annotations[INTEGRATION_KEYS] = spec.integrationKeys.map((k) => `${k.name}=${k.env}`).join(', ');
    const isResource = kind === 'Resource';
    out.push({
      apiVersion: API_VERSION,
      kind: isResource ? 'Resource' : 'Component',
      metadata: {
        name: service.name,
        ...(spec.description ? { description: spec.description } : {}),
        ...labels(service.metadata.labels),
        ...(Object.keys(annotations).length ? { annotations } : {}),
        ...(spec.links?.length ? { links: spec.links } : {}),
      },
      spec: {
        type: type ?? 'service',
        ...(isResource ? (spec.lifecycle ? { lifecycle: spec.lifecycle } : {}) : { lifecycle: spec.lifecycle ?? DEFAULT_LIFECYCLE }),
        owner: `group:${spec.owner}`,
        ...(spec.system ? { system: spec.system } : {}),
        ...(spec.dependsOn?.length ? { dependsOn: spec.dependsOn.map((d) => `${kindOf(d.service)}:${d.service}`) } : {}),
      },
    });
  }
  return out;
}

function labels(l: Record<string, string> | undefined): { labels?: Record<string, string> } {
  return l && Object.keys(l).length ? { labels: l } : {};
}
