/** Where a document starts: 1-based line and column. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
}

export interface ConfigMetadata {
  name: string;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

/** One validated document from the config directory; `spec` is the parsed zod output, defaults filled in. */
export interface ConfigDoc<S = unknown> {
  kind: string;
  name: string;
  metadata: ConfigMetadata;
  spec: S;
  source: SourcePlace;
}

/** A problem a kind finds by looking at other documents, at a path inside its own document. */
export interface ReferenceProblem {
  path: Array<string | number>;
  message: string;
  /** a warning is reported but does not fail the load; default error */
  severity?: 'error' | 'warning';
}
