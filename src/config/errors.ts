/** A config problem with its place. Line and column are 1-based, as editors count them. */
export type ConfigError = {
  file: string;
  line: number;
  column: number;
  /** where inside the document, e.g. `spec.members[0].user`; empty for whole-file problems */
  path: string;
  message: string;
};

/** `examples/bad.yaml:7:5: spec.owner: team "paymnts" does not exist (did you mean "payments"?)` */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
}
