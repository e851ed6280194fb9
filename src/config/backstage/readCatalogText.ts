import { LineCounter, parseAllDocuments } from 'yaml';
import { DocumentPlace } from '../documentPlace.js';
import { isBackstageApiVersion } from './backstageSchemas.js';
import { checkBackstageEntity, type PlacedEntity, type Problems } from './backstageEntity.js';

const firstLine = (message: string) => message.split('\n')[0] ?? message;

/**
 * The entities of one catalog-info file (any number of `---` documents).
 * `file` is what problems name: a path or the URL it was fetched from.
 * A document that is not a Backstage entity is skipped with a warning, as a
 * catalog file sometimes carries other YAML beside its entities.
 */
export function readCatalogText(text: string, file: string, problems: Problems): PlacedEntity[] {
  const lines = new LineCounter();
  const entities: PlacedEntity[] = [];
  for (const yamlDoc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    const place = new DocumentPlace(file, yamlDoc, lines);
    for (const w of yamlDoc.warnings) problems.warnings.push({ file, ...place.at(w.pos[0]), path: '', message: `YAML: ${firstLine(w.message)}` });
    if (yamlDoc.errors.length > 0) {
      for (const e of yamlDoc.errors) problems.errors.push({ file, ...place.at(e.pos[0]), path: '', message: `YAML: ${firstLine(e.message)}` });
      continue;
    }
    let value: unknown;
    try {
      value = yamlDoc.toJS();
    } catch (err) {
      problems.errors.push(place.error([], `YAML: ${firstLine((err as Error).message)}`));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.errors.push(place.error([], 'a Backstage entity must be a mapping with apiVersion, kind, metadata and spec'));
      continue;
    }
    const fields = value as Record<string, unknown>;
    if (!isBackstageApiVersion(fields.apiVersion)) {
      problems.warnings.push(place.error(['apiVersion'], `not a Backstage entity (apiVersion ${JSON.stringify(fields.apiVersion ?? null)}); skipped`));
      continue;
    }
    const entity = checkBackstageEntity(fields, place, { file, ...place.start() }, problems);
    if (entity) entities.push(entity);
  }
  return entities;
}
