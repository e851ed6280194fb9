import type { DocPath } from '../documentPlace.js';
import { teamSpecSchema, userSpecSchema, type TeamSpec, type UserSpec } from '../kinds.js';
import { entityRefOf, type PlacedEntity } from './backstageEntity.js';
import type { UserSpec as BackstageUserSpec } from './backstageSchemas.js';
import { checkMappedSpec } from './checkMappedSpec.js';
import { stringifyEntityRef } from './entityRef.js';
import type { MappingContext } from './mapToProdeng.js';
import { TIME_ZONE } from './prodengAnnotations.js';

/**
 * A Group as a Team. Its members are every User it has a hasMember relation
 * to, however that was written (the Group's spec.members or the User's
 * spec.memberOf), by name, so the result does not depend on which side
 * said it. A member that is not a User in the catalog is left out with a
 * warning: Backstage keeps such a dangling ref, a prodeng Team cannot.
 */
export function mapGroup(item: PlacedEntity, { graph, problems }: MappingContext): TeamSpec | undefined {
  const self = stringifyEntityRef(entityRefOf(item.entity));
  for (const edge of graph.edges) {
    if (edge.from !== item || edge.field !== 'members') continue;
    const target = stringifyEntityRef(edge.target);
    const path: DocPath = ['spec', 'members', edge.index ?? 0];
    if (!target.startsWith('user:')) problems.warnings.push(item.place.error(path, `member ${target} is not a User; a prodeng Team's members are Users, so it is left out`));
    else if (!graph.entities.has(target)) problems.warnings.push(item.place.error(path, `member ${target} is not in the catalog; left out of team ${item.entity.metadata.name}`));
  }
  const members = graph.relations
    .filter((r) => r.source === self && r.type === 'hasMember' && r.target.startsWith('user:') && graph.entities.has(r.target))
    .map((r) => graph.entities.get(r.target)!.entity.metadata.name)
    .sort()
    .map((user) => ({ user }));
  const description = item.entity.metadata.description;
  return checkMappedSpec(teamSpecSchema, 'Team', { ...(description ? { description } : {}), ...(members.length ? { members } : {}) }, item, () => ['metadata', 'name'], problems);
}

/** A User as a User: display name and email from spec.profile, the time zone from prodeng's annotation. */
export function mapUser(item: PlacedEntity, { graph, problems }: MappingContext): UserSpec | undefined {
  const spec = item.entity.spec as BackstageUserSpec;
  for (const edge of graph.edges) {
    if (edge.from !== item || edge.field !== 'memberOf') continue;
    const target = stringifyEntityRef(edge.target);
    if (!graph.entities.has(target)) problems.warnings.push(item.place.error(['spec', 'memberOf', edge.index ?? 0], `group ${target} is not in the catalog; this membership is not imported`));
  }
  const timeZone = item.entity.metadata.annotations?.[TIME_ZONE];
  const input = {
    ...(spec.profile?.displayName ? { displayName: spec.profile.displayName } : {}),
    ...(spec.profile?.email ? { email: spec.profile.email } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
  const from = (path: readonly PropertyKey[]): DocPath =>
    path[0] === 'email' ? ['spec', 'profile', 'email'] : path[0] === 'displayName' ? ['spec', 'profile', 'displayName'] : path[0] === 'timeZone' ? ['metadata', 'annotations', TIME_ZONE] : ['spec'];
  return checkMappedSpec(userSpecSchema, 'User', input, item, from, problems);
}
