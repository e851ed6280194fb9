import { stringify } from 'yaml';
import type { ConfigDoc } from '../../config/configDoc.js';
import { API_VERSION } from '../../config/envelope.js';

/** Objects as one multi-document YAML text; long strings stay on one line, so a diff shows a change where it is. */
export function yamlDocuments(objects: readonly unknown[], header?: string): string {
  const body = objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  return `${header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n` : ''}${body}`;
}

/** A prodeng document as it is written in the config directory. */
export function asPlainDocument(doc: ConfigDoc): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: doc.kind, metadata: doc.metadata, spec: doc.spec };
}
