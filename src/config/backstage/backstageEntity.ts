import type { z } from 'zod';
import type { SourcePlace } from '../configDoc.js';
import type { DocPath } from '../documentPlace.js';
import type { ConfigError } from '../errors.js';
import { configErrorMap } from '../issueMessages.js';
import { likelyMeant } from '../references.js';
import type { ObjectPlace } from '../openslo/translateOpenSlo.js';
import { backstageEnvelopeSchema, backstageSpecSchemas, type BackstageMetadata } from './backstageSchemas.js';
import { DEFAULT_NAMESPACE, type EntityRef } from './entityRef.js';
import { BACKSTAGE_KINDS, type BackstageKind } from './relationFields.js';

export interface BackstageEntity {
  apiVersion: string;
  kind: BackstageKind;
  metadata: BackstageMetadata;
  spec: Record<string, unknown>;
}

/** An entity and where it was read: its problems name file:line and the field. */
export interface PlacedEntity {
  entity: BackstageEntity;
  place: ObjectPlace;
  source: SourcePlace;
}

export interface Problems {
  errors: ConfigError[];
  warnings: ConfigError[];
}

export function noProblems(): Problems {
  return { errors: [], warnings: [] };
}

export function entityRefOf(entity: BackstageEntity): EntityRef {
  return { kind: entity.kind, namespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE, name: entity.metadata.name };
}

/**
 * Checks one object whose apiVersion is Backstage's, pushing every problem.
 * Returns the entity when it is one of the built-in kinds and valid; a kind
 * from a plugin (a scaffolder Template) is skipped with a warning, since
 * prodeng has nothing to map it to.
 */
export function checkBackstageEntity(value: Record<string, unknown>, place: ObjectPlace, source: SourcePlace, problems: Problems): PlacedEntity | undefined {
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  if (kind === undefined) {
    problems.errors.push(place.error(['kind'], `is required: one of ${BACKSTAGE_KINDS.join(', ')}`));
    return undefined;
  }
  if (!(BACKSTAGE_KINDS as readonly string[]).includes(kind)) {
    const guess = likelyMeant(kind, BACKSTAGE_KINDS);
    // A near miss of a built-in kind is a typo; anything else is a plugin's kind, which prodeng has nothing to map to.
    if (guess) problems.errors.push(place.error(['kind'], `unknown Backstage kind "${kind}" (did you mean "${guess}"? prodeng reads ${BACKSTAGE_KINDS.join(', ')})`));
    else problems.warnings.push(place.error(['kind'], `Backstage kind "${kind}" is not imported: prodeng reads ${BACKSTAGE_KINDS.join(', ')}`));
    return undefined;
  }
  const envelope = parseInto(backstageEnvelopeSchema, value, [], place, problems);
  const spec = parseInto(backstageSpecSchemas[kind as BackstageKind], value.spec ?? {}, ['spec'], place, problems);
  if (!envelope || !spec) return undefined;
  return { entity: { apiVersion: envelope.apiVersion, kind: kind as BackstageKind, metadata: envelope.metadata, spec }, place, source };
}

function parseInto<S extends z.ZodType>(schema: S, input: unknown, prefix: DocPath, place: ObjectPlace, problems: Problems): z.output<S> | undefined {
  const result = schema.safeParse(input, { error: configErrorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.errors.push(place.error([...prefix, ...issue.path], issue.message));
  return undefined;
}
