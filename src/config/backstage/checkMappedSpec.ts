import type { z } from 'zod';
import { formatPath, type DocPath } from '../documentPlace.js';
import { configErrorMap } from '../issueMessages.js';
import type { PlacedEntity, Problems } from './backstageEntity.js';

/**
 * Parses a spec made from a Backstage entity with the prodeng kind's own
 * schema, so an imported document obeys exactly the rules a written one does.
 * A problem is reported at the Backstage field it came from (`whereFrom`
 * maps the prodeng field to it), naming the prodeng field too.
 */
export function checkMappedSpec<S extends z.ZodType>(
  schema: S,
  prodengKind: string,
  input: Record<string, unknown>,
  item: PlacedEntity,
  whereFrom: (prodengPath: readonly PropertyKey[]) => DocPath,
  problems: Problems,
): z.output<S> | undefined {
  const result = schema.safeParse(input, { error: configErrorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.errors.push(item.place.error(whereFrom(issue.path), `${issue.message} (as the ${prodengKind}'s ${formatPath(issue.path) || 'spec'} in prodeng)`));
  }
  return undefined;
}
