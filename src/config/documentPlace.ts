import { isMap, isScalar, type Document, type LineCounter } from 'yaml';
import type { ConfigError } from './errors.js';

export type DocPath = ReadonlyArray<PropertyKey>;

type Ranged = { range?: [number, number, number] | null };

/** `spec.integrationKeys[0].env` */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

/** One YAML document in one file: turns a path inside it into file:line:column. */
export class DocumentPlace {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where the node at `path` starts, or its nearest existing parent (a missing
   * required field points at the mapping that lacks it). With `key`, the key
   * itself inside the mapping at `path`: an unknown field points at its name.
   */
  position(path: DocPath, key?: string): { line: number; column: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth) as unknown[], true) as Ranged | undefined;
      if (!node?.range) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        const keyNode = pair?.key as Ranged | undefined;
        if (keyNode?.range) return this.at(keyNode.range[0]);
      }
      return this.at(node.range[0]);
    }
    return this.start();
  }

  /** Where the document's content starts (after any `---` and comments). */
  start(): { line: number; column: number } {
    return this.at(this.doc.contents?.range?.[0] ?? this.doc.range?.[0] ?? 0);
  }

  error(path: DocPath, message: string, key?: string): ConfigError {
    return { file: this.file, ...this.position(path, key), path: formatPath(key === undefined ? path : [...path, key]), message };
  }
}
