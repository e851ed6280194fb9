import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PlacedEntity, Problems } from './backstageEntity.js';
import type { LocationSpec } from './backstageSchemas.js';
import { readCatalogText } from './readCatalogText.js';

/** Where catalog text comes from: a local file or a URL. */
export type CatalogLocation = { type: 'file'; path: string } | { type: 'url'; url: string };

export interface FollowOptions {
  /**
   * Fetches `url:` targets when given; without it they are skipped with a
   * warning, so that reading a directory never reaches the network unasked.
   */
  fetchText?: ((url: string) => Promise<string>) | undefined;
  /** files already read by the caller (absolute paths), not read again */
  alreadyRead?: ReadonlySet<string> | undefined;
}

const GLOB = /[*?[\]{}]/;

/**
 * Reads catalog files starting at `start`, then every file a Location entity
 * among them points at (spec.target / spec.targets, relative to the Location's
 * own file or URL, of the Location's spec.type or else the type it was read
 * as, as Backstage resolves them), each once. A Location read over HTTP may
 * name URLs only: a remote file must not make prodeng read local ones.
 */
export async function followLocations(start: readonly CatalogLocation[], options: FollowOptions, problems: Problems): Promise<PlacedEntity[]> {
  const walk = new Walk(options, problems);
  for (const location of start) walk.enqueue(location);
  return walk.run();
}

/**
 * The entities in the files that these already-read entities' Locations point
 * at (the config loader has read the directory's own files itself).
 */
export async function followLocationEntities(read: readonly PlacedEntity[], options: FollowOptions, problems: Problems): Promise<PlacedEntity[]> {
  const walk = new Walk(options, problems);
  for (const item of read) walk.expand(item, { type: 'file', path: item.source.file });
  return walk.run();
}

type Queued = { location: CatalogLocation; from?: { item: PlacedEntity; path: Array<string | number>; optional: boolean } };

class Walk {
  private readonly seen: Set<string>;
  private readonly queue: Queued[] = [];

  constructor(
    private readonly options: FollowOptions,
    private readonly problems: Problems,
  ) {
    this.seen = new Set(options.alreadyRead ?? []);
  }

  enqueue(location: CatalogLocation, from?: Queued['from']): void {
    if (this.seen.has(keyOf(location))) return;
    this.seen.add(keyOf(location));
    this.queue.push({ location, ...(from ? { from } : {}) });
  }

  /** Queues what a Location entity points at. */
  expand(item: PlacedEntity, location: CatalogLocation): void {
    if (item.entity.kind !== 'Location') return;
    const spec = item.entity.spec as LocationSpec;
    const targets: Array<[string, Array<string | number>]> = [
      ...(spec.target !== undefined ? [[spec.target, ['spec', 'target']] as [string, Array<string | number>]] : []),
      ...(spec.targets ?? []).map((t, i) => [t, ['spec', 'targets', i]] as [string, Array<string | number>]),
    ];
    const type = spec.type ?? location.type;
    for (const [target, path] of targets) {
      const next = resolveTarget(type, target, location, item, path, this.options, this.problems);
      if (next) this.enqueue(next, { item, path, optional: spec.presence === 'optional' });
    }
  }

  async run(): Promise<PlacedEntity[]> {
    const entities: PlacedEntity[] = [];
    while (this.queue.length > 0) {
      const { location, from } = this.queue.shift()!;
      const name = location.type === 'file' ? location.path : location.url;
      let text: string;
      try {
        text = location.type === 'file' ? await readFile(location.path, 'utf8') : await this.options.fetchText!(location.url);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (from?.optional && code === 'ENOENT') continue;
        const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
        if (from) this.problems.errors.push(from.item.place.error(from.path, `cannot read ${name}: ${why}`));
        else this.problems.errors.push({ file: name, line: 1, column: 1, path: '', message: `cannot read: ${why}` });
        continue;
      }
      for (const item of readCatalogText(text, name, this.problems)) {
        entities.push(item);
        this.expand(item, location);
      }
    }
    return entities;
  }
}

function resolveTarget(type: string, target: string, parent: CatalogLocation, item: PlacedEntity, path: Array<string | number>, options: FollowOptions, problems: Problems): CatalogLocation | undefined {
  if (type === 'file') {
    if (parent.type === 'url') {
      problems.errors.push(item.place.error(path, `a Location read from ${parent.url} cannot name local files; use type: url`));
      return undefined;
    }
    if (GLOB.test(target)) {
      problems.warnings.push(item.place.error(path, `glob targets are not followed (${target}); list the files, or import the directory`));
      return undefined;
    }
    return { type: 'file', path: resolve(dirname(parent.path), target) };
  }
  if (type === 'url') {
    let url: string;
    try {
      url = new URL(target, parent.type === 'url' ? parent.url : undefined).href;
    } catch {
      problems.errors.push(item.place.error(path, `"${target}" is not a URL${parent.type === 'file' ? ' (a url Location in a local file needs an absolute URL)' : ''}`));
      return undefined;
    }
    if (!/^https?:$/.test(new URL(url).protocol)) {
      problems.errors.push(item.place.error(path, `only http and https URLs are fetched, not ${url}`));
      return undefined;
    }
    if (!options.fetchText) {
      problems.warnings.push(item.place.error(path, `url target ${url} is not fetched here; import it with \`prodeng catalog import ${url}\``));
      return undefined;
    }
    return { type: 'url', url };
  }
  problems.warnings.push(item.place.error(['spec', 'type'], `Location type "${type}" is not followed (prodeng reads file and url)`));
  return undefined;
}

function keyOf(location: CatalogLocation): string {
  return location.type === 'file' ? resolve(location.path) : location.url;
}
