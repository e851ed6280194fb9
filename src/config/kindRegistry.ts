import type { z } from 'zod';
import type { ConfigDoc, ReferenceProblem } from './configDoc.js';
import type { LoadedConfig } from './loadedConfig.js';

/** How one kind is validated; a stage adds its kinds with defineKind and the loader picks them up. */
export interface KindDefinition<S = any> {
  kind: string;
  /** the spec schema; its output (defaults filled in) becomes ConfigDoc.spec */
  spec: z.ZodType<S, any>;
  /** checks against other documents (a Service's owner must be a Team, …), run once every document is read */
  references?: (doc: ConfigDoc<S>, config: LoadedConfig) => ReferenceProblem[];
  /** fills in what the spec takes from other documents (an SLO's policy from its team's), run once every document is read, before references */
  resolve?: (doc: ConfigDoc<S>, config: LoadedConfig) => ReferenceProblem[];
}

const kinds = new Map<string, KindDefinition>();

export function defineKind<S>(def: KindDefinition<S>): KindDefinition<S> {
  if (kinds.has(def.kind) && kinds.get(def.kind) !== def) throw new Error(`config kind ${def.kind} is defined twice`);
  kinds.set(def.kind, def);
  return def;
}

export function kindDefinition(kind: string): KindDefinition | undefined {
  return kinds.get(kind);
}

export function knownKinds(): string[] {
  return [...kinds.keys()].sort();
}
