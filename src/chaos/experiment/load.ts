import { LineCounter, parseAllDocuments } from 'yaml';
import { DocumentPlace } from '../../config/documentPlace.js';
import { configErrorMap } from '../../config/issueMessages.js';
import { controlsIn, experimentSchema, isRef, type Activity, type Experiment } from './schema.js';

/** A problem in an experiment file, where it is: `method[2].provider.url`, 1-based line and column. */
export interface ExperimentProblem {
  file: string;
  path: string;
  line: number;
  column: number;
  message: string;
}

export type ExperimentLoad =
  | { ok: true; experiment: Experiment; warnings: ExperimentProblem[] }
  | { ok: false; errors: ExperimentProblem[]; warnings: ExperimentProblem[] };

export const STRING_ARGUMENTS_NOTE = 'arguments given as one string are split into argv without a shell (quotes are honoured; $VAR, globs, pipes, ; and && mean nothing): give a list to say exactly what each argument is';
export const CONTROLS_NOTE = 'controls are Chaos Toolkit Python extensions: prodeng accepts them and does not run them';

/**
 * Reads a Chaos Toolkit experiment, JSON or YAML (JSON is YAML, so one
 * parser gives line and column for both), and checks all of it: every
 * problem is reported, each with its path and place in the file.
 */
export function loadExperiment(text: string, fileName: string): ExperimentLoad {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const warnings: ExperimentProblem[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length === 0) return { ok: false, errors: [{ file: fileName, path: '', line: 1, column: 1, message: 'the file is empty: an experiment has a title and a method' }], warnings };
  if (nonEmpty.length > 1) {
    const second = nonEmpty[1]!;
    return { ok: false, errors: [{ file: fileName, path: '', ...at(second.range[0]), message: 'an experiment file holds one experiment; this is a second YAML document' }], warnings };
  }
  const yamlDoc = nonEmpty[0]!;
  if (yamlDoc.errors.length > 0) {
    const firstLine = (m: string) => m.split('\n')[0] ?? m;
    return { ok: false, errors: yamlDoc.errors.map((e) => ({ file: fileName, path: '', ...at(e.pos[0]), message: `cannot be read as JSON or YAML: ${firstLine(e.message)}` })), warnings };
  }
  const place = new DocumentPlace(fileName, yamlDoc, lines);
  let value: unknown;
  try {
    value = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, errors: [{ file: fileName, path: '', line: 1, column: 1, message: `cannot be read: ${(err as Error).message}` }], warnings };
  }
  const result = experimentSchema.safeParse(value, { error: configErrorMap });
  if (!result.success) {
    const errors = result.error.issues.map((issue) => {
      const path = issue.path as Array<string | number>;
      // an unknown field points at its name, not its value
      const unknownField = issue.code === 'custom' && (issue.params as { unknownField?: boolean } | undefined)?.unknownField === true;
      const e = unknownField ? place.error(path.slice(0, -1), issue.message, String(path[path.length - 1])) : place.error(path, issue.message);
      return { file: fileName, path: e.path, line: e.line, column: e.column, message: e.message };
    });
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors, warnings };
  }
  const experiment = result.data;
  const warn = (path: Array<string | number>, message: string) => {
    const e = place.error(path, message);
    warnings.push({ file: fileName, path: e.path, line: e.line, column: e.column, message });
  };
  for (const path of controlsIn(experiment)) warn(path, CONTROLS_NOTE);
  const scan = (activities: Activity[] | undefined, base: Array<string | number>) =>
    activities?.forEach((a, i) => {
      if (isRef(a)) return;
      if (a.provider.type === 'process' && typeof a.provider.arguments === 'string') warn([...base, i, 'provider', 'arguments'], STRING_ARGUMENTS_NOTE);
    });
  scan(experiment['steady-state-hypothesis']?.probes, ['steady-state-hypothesis', 'probes']);
  scan(experiment.method, ['method']);
  scan(experiment.rollbacks, ['rollbacks']);
  return { ok: true, experiment, warnings };
}

/** `file:line:column: path: message`, as prodeng prints config problems. */
export function formatExperimentProblem(p: ExperimentProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}
