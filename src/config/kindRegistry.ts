import type { z } from 'zod';
import type { ConfigDoc, ReferenceProblem } from './configDoc.js';
import type { LoadedConfig } from './loadedConfig.js';

/** How one kind is validated; later stages add kinds here without touching the loader. */
export interface KindDefinition<S = any> {
  kind: string;
  spec: z.ZodType<S, any>;
  /** checks against other documents (a Service's owner must be a Team, …) */
  references?: (doc: ConfigDoc<S>, config: LoadedConfig) => ReferenceProblem[];
}

const kinds = new Map<string, KindDefinition>();

export function defineKind<S>(def: KindDefinition<S>): KindDefinition<S> {
  kinds.set(def.kind, def);
  return def;
}

export function kindDefinition(kind: string): KindDefinition | undefined {
  return kinds.get(kind);
}

export function knownKinds(): string[] {
  return [...kinds.keys()];
}
