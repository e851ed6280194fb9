/** One validated document from the config directory. */
export interface ConfigDoc<S = unknown> {
  kind: string;
  name: string;
  metadata: { name: string; labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined };
  spec: S;
  source: { file: string; line: number; column: number };
}

/** A problem found after parsing, at a path inside one document. */
export interface ReferenceProblem {
  path: Array<string | number>;
  message: string;
  severity?: 'error' | 'warning';
}
