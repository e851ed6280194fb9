import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { z } from 'zod';
import type { ConfigDoc, ReferenceProblem } from './configDoc.js';
import type { ConfigError } from './errors.js';
import { kindDefinition, knownKinds } from './kindRegistry.js';
import { LoadedConfig } from './loadedConfig.js';
import './kinds.js';

export interface ConfigLoadResult {
  ok: boolean;
  errors: ConfigError[];
  warnings: ConfigError[];
  config: LoadedConfig;
}

const API_VERSION = 'prodeng/v1';

const envelopeSchema = z
  .object({
    apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
    kind: z.string({ error: 'is required' }),
    metadata: z
      .object({
        name: z
          .string({ error: 'is required' })
          .regex(/^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/, 'must be lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit, at most 63 characters'),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: z.unknown().optional(),
  })
  .strict();

type Path = ReadonlyArray<PropertyKey>;

/** Where a document came from, to turn a path inside it into file:line:column. */
class DocumentPlace {
  constructor(
    readonly file: string,
    private doc: Document,
    private lines: LineCounter,
  ) {}

  private at(offset: number) {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The node at path, or its nearest existing parent; for an unknown key, the key itself. */
  position(path: Path, key?: string): { line: number; column: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (!node?.range) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
        if (keyNode?.range) return this.at(keyNode.range[0]);
      }
      return this.at(node.range[0]);
    }
    return this.at(this.doc.contents?.range?.[0] ?? 0);
  }

  error(path: Path, message: string, key?: string): ConfigError {
    const fullPath = key === undefined ? path : [...path, key];
    return { file: this.file, ...this.position(path, key), path: formatPath(fullPath), message };
  }
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function zodErrors(place: DocumentPlace, prefix: Path, error: z.ZodError): ConfigError[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => place.error(path, `unknown field "${key}"`, key));
    }
    return [place.error(path, issue.message)];
  });
}

function withoutUnknownKeys(schema: z.ZodType, input: unknown, error: z.ZodError): ReturnType<z.ZodType['safeParse']> {
  if (!error.issues.every((i) => i.code === 'unrecognized_keys')) return { success: false, error } as ReturnType<z.ZodType['safeParse']>;
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let target: any = copy;
    for (const key of issue.path) target = target?.[key as string];
    for (const key of issue.keys) if (target && typeof target === 'object') delete target[key];
  }
  return schema.safeParse(copy);
}

async function yamlFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => /\.ya?ml$/.test(n)).sort();
}

/** Reads every *.yaml / *.yml in dir (not recursive) and reports every problem, not just the first. */
export async function loadConfigDir(dir: string): Promise<ConfigLoadResult> {
  const errors: ConfigError[] = [];
  const warnings: ConfigError[] = [];
  const config = new LoadedConfig();
  const places = new Map<ConfigDoc, DocumentPlace>();

  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message;
    return { ok: false, errors: [{ file: dir, line: 1, column: 1, path: '', message: reason }], warnings, config };
  }

  for (const name of await yamlFiles(dir)) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8');
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
    for (const doc of Array.isArray(docs) ? docs : []) {
      const place = new DocumentPlace(file, doc, lines);
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
          errors.push({ file, line: pos.line, column: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
        }
        continue;
      }
      const value = doc.toJS();
      if (value === null || value === undefined) continue;
      const envelope = envelopeSchema.safeParse(value);
      if (!envelope.success) {
        errors.push(...zodErrors(place, [], envelope.error));
        continue;
      }
      const { kind, metadata } = envelope.data;
      const definition = kindDefinition(kind);
      if (!definition) {
        errors.push(place.error(['kind'], `unknown kind "${kind}" (known kinds: ${knownKinds().join(', ')})`));
        continue;
      }
      let spec = definition.spec.safeParse(envelope.data.spec ?? {});
      if (!spec.success) {
        errors.push(...zodErrors(place, ['spec'], spec.error));
        // With only unknown fields wrong, still check the rest (references
        // too), so one run reports every problem.
        spec = withoutUnknownKeys(definition.spec, envelope.data.spec ?? {}, spec.error);
        if (!spec.success) continue;
      }
      const existing = config.byKind(kind).get(metadata.name);
      if (existing) {
        errors.push(place.error(['metadata', 'name'], `${kind} "${metadata.name}" is already defined at ${existing.source.file}:${existing.source.line}`));
        continue;
      }
      const start = place.position([]);
      const configDoc: ConfigDoc = { kind, name: metadata.name, metadata, spec: spec.data, source: { file, ...start } };
      config.add(configDoc);
      places.set(configDoc, place);
    }
  }

  // References are checked once every document is known, so order of files does not matter.
  for (const [doc, place] of places) {
    const problems: ReferenceProblem[] = kindDefinition(doc.kind)?.references?.(doc, config) ?? [];
    for (const p of problems) (p.severity === 'warning' ? warnings : errors).push(place.error(p.path, p.message));
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { ok: errors.length === 0, errors, warnings, config };
}
