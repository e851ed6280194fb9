import { stat } from 'node:fs/promises';
import type { ConfigDoc } from '../../config/configDoc.js';
import type { ConfigError } from '../../config/errors.js';
import { kindDefinition } from '../../config/kindRegistry.js';
import { LoadedConfig } from '../../config/loadedConfig.js';
import { noProblems, type PlacedEntity } from '../../config/backstage/backstageEntity.js';
import { deriveRelations, type Relation } from '../../config/backstage/deriveRelations.js';
import { followLocations, type CatalogLocation } from '../../config/backstage/followLocations.js';
import { mapToProdeng } from '../../config/backstage/mapToProdeng.js';
import { catalogFilesIn } from './catalogFilesIn.js';
import { fetchCatalogText } from './fetchCatalogText.js';
import '../../config/kinds.js';

export interface ImportOptions {
  /**
   * How `url:` Location targets are fetched. An import from a URL always
   * fetches (with fetchCatalogText unless given); one from a directory only
   * when this is set, so that reading local files never reaches the network unasked.
   */
  fetchText?: (url: string) => Promise<string>;
}

export interface CatalogImport {
  ok: boolean;
  errors: ConfigError[];
  warnings: ConfigError[];
  /** Teams, then Users, then Services, each by name */
  docs: ConfigDoc[];
  entities: PlacedEntity[];
  relations: Relation[];
}

const ORDER = ['Team', 'User', 'Service'];

/**
 * Reads a Backstage catalog (a directory tree of catalog-info.yaml files, one
 * file, or an http(s) URL) and makes prodeng documents of it, checked as the
 * config loader would check them, the references between them included.
 */
export async function importCatalog(source: string, options: ImportOptions = {}): Promise<CatalogImport> {
  const problems = noProblems();
  const isUrl = /^https?:\/\//i.test(source);
  let start: CatalogLocation[];
  if (isUrl) {
    start = [{ type: 'url', url: new URL(source).href }];
  } else {
    const info = await stat(source).catch(() => undefined);
    if (!info) return failed(source, 'no such file or directory');
    start = info.isDirectory() ? (await catalogFilesIn(source)).map((path) => ({ type: 'file' as const, path })) : [{ type: 'file', path: source }];
    if (start.length === 0) return failed(source, 'no catalog-info.yaml in this directory tree');
  }
  const fetchText = isUrl ? (options.fetchText ?? fetchCatalogText) : options.fetchText;
  const entities = await followLocations(start, { fetchText }, problems);
  const graph = deriveRelations(entities, problems);
  const mapping = mapToProdeng(graph, problems);

  // The references a loaded config would check (a member that is no User, a dependency on a Service that failed).
  const config = new LoadedConfig();
  for (const { kind, name, source: at } of mapping.declared) config.declare(kind, name, at);
  for (const { doc } of mapping.docs) config.add(doc);
  for (const { doc, place } of mapping.docs) {
    for (const problem of kindDefinition(doc.kind)?.references?.(doc, config) ?? []) {
      // Environment variables are the target machine's business, not the import's.
      if (problem.severity !== 'warning') problems.errors.push(place.error(problem.path, problem.message));
    }
  }

  const docs = mapping.docs.map((m) => m.doc).sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byPlace = (a: ConfigError, b: ConfigError) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
  return { ok: problems.errors.length === 0, errors: problems.errors.sort(byPlace), warnings: problems.warnings.sort(byPlace), docs, entities, relations: graph.relations };
}

function failed(source: string, message: string): CatalogImport {
  return { ok: false, errors: [{ file: source, line: 1, column: 1, path: '', message }], warnings: [], docs: [], entities: [], relations: [] };
}
