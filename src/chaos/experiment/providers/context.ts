import type { Lookup } from '../substitute.js';
import type { ResolvedValues } from '../values.js';

/** A function of prodeng's own (a fault, a toxic) that an experiment calls with a `prodeng` provider. */
export type ProdengFunction = (args: Record<string, unknown>, ctx: { signal: AbortSignal; activity: string }) => unknown;
export type ProdengRegistry = ReadonlyMap<string, ProdengFunction> | Readonly<Record<string, ProdengFunction>>;

export function registryGet(registry: ProdengRegistry, name: string): ProdengFunction | undefined {
  if (registry instanceof Map) return registry.get(name);
  const record = registry as Readonly<Record<string, ProdengFunction>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

export function registryNames(registry: ProdengRegistry): string[] {
  return (registry instanceof Map ? [...registry.keys()] : Object.keys(registry)).sort();
}

/** What a provider is given to run one activity. */
export interface ProviderContext {
  /** the activity's name, for messages */
  activity: string;
  lookup: Lookup;
  values: ResolvedValues;
  registry: ProdengRegistry;
  /** aborted when the run is interrupted, or the method is stopped (fail_fast) */
  signal: AbortSignal;
  /** a tolerance probe's input: the output of the probe it judges */
  value?: { given: true; output: unknown };
  /** secret scopes and configuration keys the activity names (the provider's and the activity's own) */
  names: { secrets: string[]; configuration: string[] };
}

/** An activity that did not do its job (Chaos Toolkit's ActivityFailed): its run is marked failed with this message. */
export class ActivityFailed extends Error {
  override name = 'ActivityFailed';
}

/** The error to throw when `signal` aborted. */
export function abortedError(signal: AbortSignal): ActivityFailed {
  const reason = signal.reason instanceof Error ? signal.reason.message : typeof signal.reason === 'string' ? signal.reason : 'the run was interrupted';
  return new ActivityFailed(`stopped: ${reason}`);
}
