/** A config problem with its place: every error names file, line and column. */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
}
