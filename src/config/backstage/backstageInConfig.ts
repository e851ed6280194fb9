import { resolve } from 'node:path';
import type { ConfigDoc, SourcePlace } from '../configDoc.js';
import type { LoadedConfig } from '../loadedConfig.js';
import type { ObjectPlace } from '../openslo/translateOpenSlo.js';
import { checkBackstageEntity, type PlacedEntity, type Problems } from './backstageEntity.js';
import { isBackstageApiVersion } from './backstageSchemas.js';
import { deriveRelations } from './deriveRelations.js';
import { followLocationEntities } from './followLocations.js';
import { mapToProdeng, type Mapping } from './mapToProdeng.js';

/**
 * Backstage entities found in the config directory, turned into prodeng
 * documents once every file is read (a Group's members and a Component's
 * dependencies come from other entities). Locations are followed to local
 * files, not to URLs: loading config never reaches the network.
 */
export class BackstageInConfig {
  private readonly read: PlacedEntity[] = [];

  /** @param files the config directory's own files, which the loader reads itself */
  constructor(private readonly files: readonly string[]) {}

  /** Takes the object when it is a Backstage entity (its problems pushed); false leaves it to the loader. */
  take(value: unknown, place: ObjectPlace, source: SourcePlace, problems: Problems): boolean {
    if (typeof value !== 'object' || value === null || !isBackstageApiVersion((value as { apiVersion?: unknown }).apiVersion)) return false;
    const entity = checkBackstageEntity(value as Record<string, unknown>, place, source, problems);
    if (entity) this.read.push(entity);
    return true;
  }

  /** Adds the prodeng documents made from the entities to `config` and to `checked` (whose references the loader checks next). */
  async addTo(config: LoadedConfig, checked: Array<{ doc: ConfigDoc; place: ObjectPlace }>, problems: Problems): Promise<void> {
    const mapped = await this.documents(problems);
    const clashing = new Set<string>();
    for (const { kind, name, source, place } of mapped.declared) {
      const first = config.declare(kind, name, source);
      if (!first) continue;
      problems.errors.push(place.error(['metadata', 'name'], `${kind} "${name}" is already defined at ${first.file}:${first.line}`));
      clashing.add(`${kind}/${name}/${source.file}:${source.line}`);
    }
    for (const { doc, place } of mapped.docs) {
      if (clashing.has(`${doc.kind}/${doc.name}/${doc.source.file}:${doc.source.line}`)) continue;
      config.add(doc);
      checked.push({ doc, place });
    }
  }

  async documents(problems: Problems): Promise<Mapping> {
    if (this.read.length === 0) return { docs: [], declared: [] };
    const followed = await followLocationEntities(this.read, { alreadyRead: new Set(this.files.map((f) => resolve(f))) }, problems);
    return mapToProdeng(deriveRelations([...this.read, ...followed], problems), problems);
  }
}
