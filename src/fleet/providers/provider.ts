/** What a provider is asked to create. */
export interface ProvisionRequest {
  pool: string;
  host: string;
  service: string;
  cluster: string | null;
  labels: Record<string, string>;
  /** the provider refs of the pool's hosts that are not decommissioned (machines already taken) */
  inUse: string[];
}

/** A host a provider made: where it answers, and the provider's own handle for it. */
export interface Provisioned {
  address: string;
  ref: string | null;
}

export interface ProvidedHost {
  name: string;
  pool: string;
  address: string | null;
  ref: string | null;
}

/**
 * One way to get machines. Every method throws ProviderError with a message
 * a person can act on; the caller records it and escalates, never swallows.
 */
export interface Provider {
  readonly type: string;
  provision(req: ProvisionRequest, signal: AbortSignal): Promise<Provisioned>;
  /** restart the host where it is; resolves with a one-line account */
  reboot(host: ProvidedHost, signal: AbortSignal): Promise<string>;
  /** put the host back in working order (fresh state), where it is */
  repair(host: ProvidedHost, signal: AbortSignal): Promise<string>;
  decommission(host: ProvidedHost, signal: AbortSignal): Promise<string>;
  /** whether the provider still holds the host (a local process dies with prodeng) */
  holds?(host: ProvidedHost): boolean;
  /**
   * A host it does not hold, made by a previous prodeng run: stop whatever
   * of it outlived that run (a local process whose prodeng was killed -9 runs
   * on, unseen, with whatever faults it had). Resolves with a one-line
   * account, or null when nothing was left.
   */
  stopOrphan?(host: ProvidedHost): Promise<string | null>;
  /** stop what the provider runs itself, when prodeng stops */
  close?(): Promise<void>;
}

export class ProviderError extends Error {}
