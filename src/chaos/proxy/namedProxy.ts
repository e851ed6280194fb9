import { connect, createServer, type Server, type Socket } from 'node:net';
import { formatHostPort, parseHostPort } from './address.js';
import { FaultProxyError } from './errors.js';
import { ProxyLink, type LinkToxic } from './proxyLink.js';
import type { ToxicDefinition } from './toxics/definition.js';
import type { StreamDirection } from './toxics/stage.js';

/** A toxic as the proxy keeps it. */
export interface ToxicRecord {
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, unknown>;
  seq: number;
  definition: ToxicDefinition;
  ttl?: number;
  expiresAt?: Date;
  timer?: NodeJS.Timeout;
}

/** Toxiproxy's JSON for a toxic, plus `ttl` and `expiresAt` when a ttl was given. */
export interface ToxicView {
  name: string;
  type: string;
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, unknown>;
  ttl?: number;
  expiresAt?: string;
}

/** Toxiproxy's JSON for a proxy. */
export interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicView[];
}

export function toxicView(t: ToxicRecord): ToxicView {
  const view: ToxicView = { name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: { ...t.attributes } };
  if (t.ttl !== undefined) view.ttl = t.ttl;
  if (t.expiresAt) view.expiresAt = t.expiresAt.toISOString();
  return view;
}

const linkToxic = (t: ToxicRecord): LinkToxic => ({
  name: t.name,
  seq: t.seq,
  stream: t.stream,
  toxicity: t.toxicity,
  create: () => t.definition.create(t.attributes),
});

/**
 * One named proxy: a TCP listener forwarding every connection to its
 * upstream through the toxics it holds. Toxics added, changed or removed
 * apply to the connections already open as well as to new ones.
 */
export class NamedProxy {
  /** The listen address as asked for (e.g. port 0), to compare on populate. */
  requestedListen: string;
  listen: string;
  enabled = false;
  private server: Server | undefined;
  private readonly links = new Set<ProxyLink>();
  private readonly toxicList: ToxicRecord[] = [];

  constructor(
    readonly name: string,
    listen: string,
    public upstream: string,
    private readonly random: () => number,
  ) {
    this.requestedListen = listen;
    this.listen = listen;
  }

  get connections(): number {
    return this.links.size;
  }

  get toxics(): readonly ToxicRecord[] {
    // Toxiproxy lists the upstream chain, then the downstream chain, each in the order added.
    return [...this.toxicList.filter((t) => t.stream === 'upstream'), ...this.toxicList.filter((t) => t.stream === 'downstream')];
  }

  view(): ProxyView {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxics.map(toxicView) };
  }

  /** Whether `listen` names this proxy's address, as asked for or as bound. */
  listensOn(listen: string): boolean {
    return listen === this.requestedListen || listen === this.listen;
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    const { host, port } = parseHostPort(this.listen, 'listen');
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new FaultProxyError(`listen tcp ${this.listen}: ${err.code === 'EADDRINUSE' ? 'bind: address already in use' : err.message}`, 500)));
      server.listen({ host, port }, () => resolve());
    });
    server.on('error', () => {});
    const address = server.address();
    if (address && typeof address === 'object') this.listen = formatHostPort({ host: address.address, port: address.port });
    this.server = server;
    this.enabled = true;
  }

  /** Stops listening and closes every open connection. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    for (const link of [...this.links]) link.destroy();
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  }

  addToxic(t: ToxicRecord): void {
    this.toxicList.push(t);
    for (const link of this.links) link.attach(linkToxic(t));
  }

  replaceToxic(t: ToxicRecord, toxicityChanged: boolean): void {
    const at = this.toxicList.findIndex((x) => x.name === t.name);
    if (at >= 0) this.toxicList[at] = t;
    for (const link of this.links) link.update(linkToxic(t), toxicityChanged);
  }

  removeToxic(name: string): ToxicRecord | undefined {
    const at = this.toxicList.findIndex((x) => x.name === name);
    if (at < 0) return undefined;
    const [t] = this.toxicList.splice(at, 1);
    clearTimeout(t!.timer);
    for (const link of this.links) link.detach(t!);
    return t;
  }

  findToxic(name: string): ToxicRecord | undefined {
    return this.toxicList.find((t) => t.name === name);
  }

  /** How many open connections a toxic was drawn for (by its toxicity). */
  affectedConnections(name: string): number {
    let n = 0;
    for (const link of this.links) if (link.applied(name)) n++;
    return n;
  }

  private accept(client: Socket): void {
    const { host, port } = parseHostPort(this.upstream, 'upstream');
    const server = connect({ host, port, allowHalfOpen: true, noDelay: true });
    const link = new ProxyLink(client, server, { random: this.random, onClose: (l) => this.links.delete(l) });
    this.links.add(link);
    for (const t of this.toxicList) link.attach(linkToxic(t));
  }
}
