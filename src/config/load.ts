import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import type { ConfigDoc } from './configDoc.js';
import { DocumentPlace, type DocPath } from './documentPlace.js';
import { envelopeSchema, NAME_PATTERN } from './envelope.js';
import type { ConfigError } from './errors.js';
import { configErrorMap, knownFieldsAt } from './issueMessages.js';
import { kindDefinition, knownKinds } from './kindRegistry.js';
import { LoadedConfig } from './loadedConfig.js';
import { didYouMean, likelyMeant } from './references.js';
import { OPENSLO_API_VERSION, openSloEnvelopeSchema, openSloKinds, openSloSpecSchemas, withoutEmptyValues, type OpenSloKind } from './openslo/openSloSchemas.js';
import { openSloKind, openSloReferences, translateOpenSlo, type ObjectPlace, type OpenSloObject } from './openslo/translateOpenSlo.js';
import { BackstageInConfig } from './backstage/backstageInConfig.js';
// The built-in kinds register themselves on import.
import './kinds.js';

export interface ConfigLoadResult {
  /** false when there is at least one error; warnings do not count */
  ok: boolean;
  errors: ConfigError[];
  warnings: ConfigError[];
  /** the documents that passed validation (all of them when ok) */
  config: LoadedConfig;
}

/** Reads every *.yaml / *.yml in dir (not subdirectories) and reports every problem, not just the first. */
export async function loadConfigDir(dir: string): Promise<ConfigLoadResult> {
  const errors: ConfigError[] = [];
  const warnings: ConfigError[] = [];
  const config = new LoadedConfig();

  let names: string[];
  try {
    names = await yamlFilesIn(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message;
    return { ok: false, errors: [{ file: dir, line: 1, column: 1, path: '', message }], warnings, config };
  }

  const checked: Array<{ doc: ConfigDoc; place: ObjectPlace }> = [];
  const openSlo: OpenSloObject[] = [];
  const backstage = new BackstageInConfig(names.map((name) => join(dir, name)));
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      errors.push({ file, line: 1, column: 1, path: '', message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const lines = new LineCounter();
    for (const yamlDoc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
      const place = new DocumentPlace(file, yamlDoc, lines);
      const value = readDocument(yamlDoc, place, errors, warnings);
      // A document may also be a list of objects, as OpenSLO files often are.
      const objects: Array<[unknown, DocPath]> = Array.isArray(value) ? value.map((v, i) => [v, [i]]) : value === undefined ? [] : [[value, []]];
      for (const [object, prefix] of objects) {
        const at = prefixedPlace(place, prefix);
        if (backstage.take(object, at, { file: place.file, ...place.position(prefix) }, { errors, warnings })) continue;
        if (isOpenSlo(object)) {
          const doc = checkOpenSloObject(withoutEmptyValues(object) as Record<string, unknown>, prefix, place, config, errors);
          if (doc) openSlo.push({ doc, place: at });
          continue;
        }
        const doc = checkObject(object, prefix, place, config, errors);
        if (doc) checked.push({ doc, place: at });
      }
    }
  }

  // OpenSLO objects name each other across files: checked, then translated into prodeng SLOs, once all are read.
  // OpenSLO's reference validator checks each object alone, so an object that names one not in the directory
  // still validates; prodeng says so, and does not evaluate an SLO whose parts it lacks.
  for (const { doc, place } of openSlo) for (const problem of openSloReferences(doc, config)) warnings.push(place.error(problem.path, problem.message));
  const translation = translateOpenSlo(openSlo, config);
  for (const problem of translation.problems) (problem.severity === 'warning' ? warnings : errors).push(problem.place.error(problem.path, problem.message));
  for (const slo of translation.slos) {
    const first = config.declare('SLO', slo.doc.name, slo.doc.source);
    if (first) {
      errors.push(slo.place.error(['metadata', 'name'], `SLO "${slo.doc.name}" is already defined at ${first.file}:${first.line}`));
      continue;
    }
    config.add(slo.doc);
    checked.push(slo);
  }

  // Backstage entities become Teams, Users and Services once all are read: members and dependencies come from other entities.
  await backstage.addTo(config, checked, { errors, warnings });

  // What a document takes from others is filled in, then references are checked, once every document is known,
  // so the order of files does not matter.
  for (const { doc, place } of checked) {
    for (const problem of kindDefinition(doc.kind)?.resolve?.(doc, config) ?? []) (problem.severity === 'warning' ? warnings : errors).push(place.error(problem.path, problem.message));
  }
  for (const { doc, place } of checked) {
    for (const problem of kindDefinition(doc.kind)?.references?.(doc, config) ?? []) {
      (problem.severity === 'warning' ? warnings : errors).push(place.error(problem.path, problem.message));
    }
  }
  const byPlace = (a: ConfigError, b: ConfigError) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
  errors.sort(byPlace);
  warnings.sort(byPlace);
  return { ok: errors.length === 0, errors, warnings, config };
}

async function yamlFilesIn(dir: string): Promise<string[]> {
  if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!/\.ya?ml$/.test(entry.name)) continue;
    // A symlink counts when it points at a file (config mounted from a ConfigMap is all symlinks).
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).catch(() => undefined))?.isFile());
    if (isFile) files.push(entry.name);
  }
  return files.sort();
}

/** A YAML document's value, or undefined when it is empty or broken (its problems pushed). */
function readDocument(yamlDoc: Document, place: DocumentPlace, errors: ConfigError[], warnings: ConfigError[]): unknown {
  for (const w of yamlDoc.warnings) warnings.push({ file: place.file, ...place.at(w.pos[0]), path: '', message: `YAML: ${firstLine(w.message)}` });
  if (yamlDoc.errors.length > 0) {
    for (const e of yamlDoc.errors) errors.push({ file: place.file, ...place.at(e.pos[0]), path: '', message: `YAML: ${firstLine(e.message)}` });
    return undefined;
  }
  try {
    // null for an empty document, e.g. a trailing `---`
    return yamlDoc.toJS() ?? undefined;
  } catch (err) {
    errors.push(place.error([], `YAML: ${firstLine((err as Error).message)}`));
    return undefined;
  }
}

/** Problems of an object at `prefix` inside its YAML document (an item of a list document). */
function prefixedPlace(place: DocumentPlace, prefix: DocPath): ObjectPlace {
  return { error: (path, message) => place.error([...prefix, ...path], message) };
}

/**
 * Validates one object, pushing every problem it has. Returns the document
 * when it is good enough to check its references: it may still have
 * unknown fields, which were reported and are otherwise ignored.
 */
function checkObject(value: unknown, prefix: DocPath, place: DocumentPlace, config: LoadedConfig, errors: ConfigError[]): ConfigDoc | undefined {
  const envelope = parseAll(envelopeSchema, value, prefix, place, errors);
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

  // The kind's spec is checked even when the envelope is wrong, so one run shows everything.
  const kind = typeof fields.kind === 'string' ? fields.kind : undefined;
  const definition = kind === undefined ? undefined : kindDefinition(kind);
  if (kind !== undefined && !definition) {
    const known = knownKinds();
    const guess = likelyMeant(kind, known);
    errors.push(place.error([...prefix, 'kind'], `unknown kind "${kind}" (${guess ? `did you mean "${guess}"? ` : ''}known kinds: ${known.join(', ')})`));
  }
  const spec = definition ? parseAll(definition.spec, fields.spec ?? {}, [...prefix, 'spec'], place, errors) : undefined;

  const name = (fields.metadata as Record<string, unknown> | undefined)?.name;
  if (!definition || typeof name !== 'string' || !NAME_PATTERN.test(name)) return undefined;
  const source = { file: place.file, ...place.position(prefix) };
  const first = config.declare(definition.kind, name, source);
  if (first) {
    errors.push(place.error([...prefix, 'metadata', 'name'], `${definition.kind} "${name}" is already defined at ${first.file}:${first.line}`));
    return undefined;
  }
  if (!envelope || !spec) return undefined;
  const doc: ConfigDoc = { kind: definition.kind, name, metadata: envelope.data.metadata, spec: spec.data, source };
  config.add(doc);
  return doc;
}

function isOpenSlo(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as { apiVersion?: unknown }).apiVersion === OPENSLO_API_VERSION;
}

/** An OpenSLO v1 object, checked by the rules of OpenSLO's reference validator and kept under its own kinds (OpenSLO.SLO, …). */
function checkOpenSloObject(fields: Record<string, unknown>, prefix: DocPath, place: DocumentPlace, config: LoadedConfig, errors: ConfigError[]): ConfigDoc | undefined {
  const envelope = parseAll(openSloEnvelopeSchema, fields, prefix, place, errors);
  const kind = typeof fields.kind === 'string' ? fields.kind : undefined;
  const known = kind !== undefined && (openSloKinds as readonly string[]).includes(kind) ? (kind as OpenSloKind) : undefined;
  if (kind !== undefined && !known) {
    const guess = likelyMeant(kind, openSloKinds);
    errors.push(place.error([...prefix, 'kind'], `unknown OpenSLO v1 kind "${kind}" (${guess ? `did you mean "${guess}"? ` : ''}known kinds: ${openSloKinds.join(', ')})`));
  }
  let spec: { data: unknown } | undefined;
  if (known) {
    const { schema, required } = openSloSpecSchemas[known];
    if (fields.spec === undefined && required) errors.push(place.error(prefix, `spec is required for an OpenSLO ${known}`));
    else spec = parseAll(schema, fields.spec ?? {}, [...prefix, 'spec'], place, errors);
  }
  const name = (fields.metadata as Record<string, unknown> | undefined)?.name;
  if (!known || typeof name !== 'string' || !envelope || !spec) return undefined;
  const source = { file: place.file, ...place.position(prefix) };
  const first = config.declare(openSloKind(known), name, source);
  if (first) {
    errors.push(place.error([...prefix, 'metadata', 'name'], `OpenSLO ${known} "${name}" is already defined at ${first.file}:${first.line}`));
    return undefined;
  }
  const doc: ConfigDoc = { kind: openSloKind(known), name, metadata: envelope.data.metadata as ConfigDoc['metadata'], spec: spec.data, source };
  config.add(doc);
  return doc;
}

/**
 * Parses with `schema`, pushing an error for every issue. When the only
 * issues are unknown fields, parses again without them so the caller can go
 * on to check references: the run still fails, but shows every problem.
 */
function parseAll<S extends z.ZodType>(schema: S, input: unknown, prefix: DocPath, place: DocumentPlace, errors: ConfigError[]): { data: z.output<S> } | undefined {
  const result = schema.safeParse(input, { error: configErrorMap });
  if (result.success) return { data: result.data };
  for (const issue of result.error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = knownFieldsAt(schema, issue.path);
      for (const key of issue.keys) errors.push(place.error(path, `unknown field "${key}"${didYouMean(key, known)}`, key));
    } else {
      errors.push(place.error(path, issue.message));
    }
  }
  if (!result.error.issues.every((issue) => issue.code === 'unrecognized_keys')) return undefined;
  const retry = schema.safeParse(withoutKeys(input, result.error.issues));
  return retry.success ? { data: retry.data } : undefined;
}

function withoutKeys(input: unknown, issues: z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(input);
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let target: unknown = copy;
    for (const key of issue.path) target = (target as Record<PropertyKey, unknown> | undefined)?.[key];
    if (target && typeof target === 'object') for (const key of issue.keys) delete (target as Record<string, unknown>)[key];
  }
  return copy;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
