import type { FaultProxy, ToxicInput, ToxicView } from '../proxy/index.js';

export interface Endpoint {
  host: string;
  address: string;
}

export interface RoutedEndpoint extends Endpoint {
  /** the real address behind the proxy */
  upstream: string;
  /** the fault proxy's name (Toxiproxy's API lists it) */
  proxy: string;
}

export interface ObservedEdge {
  caller: string;
  callee: string;
  /** epoch ms of the caller's last discovery call for it */
  lastSeenAt: number;
}

/** An edge toxic as asked for: Toxiproxy's fields, with a name so every proxy of the edge carries the same one. */
export type EdgeToxicInput = Omit<ToxicInput, 'name'> & { type: string; name?: string };

interface EdgeState {
  caller: string;
  callee: string;
  lastSeenAt: number;
  /** host -> when discovery last listed it for this edge */
  listed: Map<string, number>;
}

/** How long a proxy stays after its host left discovery's list: callers poll every second and may still hold the old list. */
const STALE_PROXY_MS = 30_000;

export class EdgeToxicError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * One fault proxy per dependency edge and endpoint (frontend to cart-1,
 * frontend to cart-2), made when a caller that names itself asks discovery
 * for a service that takes a fault proxy. An edge toxic goes on every proxy
 * of the edge, and on the ones made for it later (a replaced host), until it
 * is removed. The proxies live in this replica's memory: a restart makes new
 * ones (callers see the new addresses on their next poll) and takes every
 * toxic with it, which is the safe direction.
 */
export class EdgeProxies {
  private readonly edges = new Map<string, EdgeState>();
  private readonly edgeToxics = new Map<string, Map<string, EdgeToxicInput & { name: string }>>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly proxies: FaultProxy,
    /** services whose callers go through a proxy (Service spec.faultProxy) */
    private readonly proxied: ReadonlySet<string>,
  ) {
    // Toxiproxy's /reset removes every toxic: the edges' toxics with them, not to come back on the next proxy.
    proxies.onChange((event) => {
      if (event.kind === 'reset') this.edgeToxics.clear();
    });
  }

  takesProxy(callee: string): boolean {
    return this.proxied.has(callee);
  }

  /** `frontend~cart-1`: "~" is in no config name, so two edges never share a proxy name, and it needs no escaping in a URL. */
  static proxyName(caller: string, host: string): string {
    return `${caller}~${host}`;
  }

  /** The endpoints a caller should use for callee: each behind this edge's proxy for it. */
  async route(caller: string, callee: string, endpoints: readonly Endpoint[], now: number): Promise<RoutedEndpoint[]> {
    const key = edgeKey(caller, callee);
    const edge = this.edges.get(key) ?? { caller, callee, lastSeenAt: now, listed: new Map() };
    this.edges.set(key, edge);
    edge.lastSeenAt = now;
    const routed: RoutedEndpoint[] = [];
    for (const e of endpoints) {
      edge.listed.set(e.host, now);
      const name = EdgeProxies.proxyName(caller, e.host);
      await this.ensureProxy(key, name, e.address);
      routed.push({ host: e.host, address: this.proxies.getProxy(name).listen, upstream: e.address, proxy: name });
    }
    await this.dropStale(edge, now);
    return routed;
  }

  /** Every edge a caller has asked discovery for, newest first. */
  observedEdges(): ObservedEdge[] {
    return [...this.edges.values()].map((e) => ({ caller: e.caller, callee: e.callee, lastSeenAt: e.lastSeenAt })).sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /** The proxies of one edge, by name. */
  proxiesOf(caller: string, callee: string): string[] {
    const edge = this.edges.get(edgeKey(caller, callee));
    return edge ? [...edge.listed.keys()].map((host) => EdgeProxies.proxyName(caller, host)) : [];
  }

  /**
   * Puts a toxic on every proxy of the edge now and on those made later.
   * An edge no caller has asked for yet has no proxies: that is an error,
   * since the toxic would break nothing and the experiment would learn nothing.
   */
  addToxic(caller: string, callee: string, input: EdgeToxicInput): { name: string; proxies: string[]; toxics: ToxicView[] } {
    const key = edgeKey(caller, callee);
    if (!this.takesProxy(callee)) throw new EdgeToxicError(`${callee}: its callers do not go through a fault proxy (set faultProxy: true on Service ${callee})`, 400, 'not_proxied');
    const names = this.proxiesOf(caller, callee);
    if (names.length === 0) throw new EdgeToxicError(`no traffic from ${caller} to ${callee} seen yet: ${caller} has not asked discovery for ${callee} (GET /api/v1/services/${callee}/endpoints?from=${caller})`, 404, 'edge_not_found');
    const name = input.name ?? `${input.type}_edge`;
    const toxics = this.edgeToxics.get(key) ?? new Map();
    if (toxics.has(name)) throw new EdgeToxicError(`toxic ${name} is already on the edge ${caller} -> ${callee}`, 409, 'conflict');
    const added: ToxicView[] = [];
    try {
      for (const proxy of names) added.push(this.proxies.addToxic(proxy, { ...input, name }));
    } catch (err) {
      // All or nothing: a toxic on half an edge would make the verdict a coin toss.
      for (const proxy of names.slice(0, added.length)) this.removeQuietly(proxy, name);
      throw err;
    }
    toxics.set(name, { ...input, name });
    this.edgeToxics.set(key, toxics);
    return { name, proxies: names, toxics: added };
  }

  /** Removes the toxic from every proxy of the edge; a toxic already gone (restart, reset) is not an error. */
  removeToxic(caller: string, callee: string, name: string): void {
    this.edgeToxics.get(edgeKey(caller, callee))?.delete(name);
    for (const proxy of this.proxiesOf(caller, callee)) this.removeQuietly(proxy, name);
  }

  activeToxics(caller: string, callee: string): string[] {
    return [...(this.edgeToxics.get(edgeKey(caller, callee))?.keys() ?? [])];
  }

  private removeQuietly(proxy: string, toxic: string): void {
    try {
      this.proxies.removeToxic(proxy, toxic, 'api');
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }

  // Concurrent discovery calls for one edge share one creation.
  private async ensureProxy(key: string, name: string, upstream: string): Promise<void> {
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    const work = (async () => {
      const existing = this.proxies.listProxies().find((p) => p.name === name);
      if (existing && existing.upstream === upstream && existing.enabled) return;
      // A host that came back on another port gets a fresh proxy (a new port too; callers pick it up on their next poll).
      if (existing) await this.proxies.deleteProxy(name);
      await this.proxies.createProxy({ name, upstream });
      for (const toxic of this.edgeToxics.get(key)?.values() ?? []) this.proxies.addToxic(name, toxic);
    })().finally(() => this.pending.delete(name));
    this.pending.set(name, work);
    return work;
  }

  private async dropStale(edge: EdgeState, now: number): Promise<void> {
    for (const [host, at] of edge.listed) {
      if (now - at < STALE_PROXY_MS) continue;
      edge.listed.delete(host);
      const name = EdgeProxies.proxyName(edge.caller, host);
      await this.proxies.deleteProxy(name).catch(() => undefined);
    }
  }
}

function edgeKey(caller: string, callee: string): string {
  return `${caller}>${callee}`;
}
