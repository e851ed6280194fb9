import type { DocPath } from '../documentPlace.js';
import { NAME_PATTERN } from '../envelope.js';
import type { ObjectPlace } from '../openslo/translateOpenSlo.js';
import type { Problems } from './backstageEntity.js';

/** True when `name` can name a prodeng document; otherwise an error at `path`. */
export function isProdengName(name: string, place: ObjectPlace, path: DocPath, problems: Problems): boolean {
  if (NAME_PATTERN.test(name)) return true;
  problems.errors.push(
    place.error(path, `"${name}" is not a valid prodeng name: it must be lowercase letters, digits, ".", "_" or "-", start and end with a letter or digit, and be at most 63 characters (rename the entity, e.g. "${suggestedName(name)}")`),
  );
  return false;
}

function suggestedName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 63) || 'name'
  );
}
