import { FaultProxyError, invalidStream, invalidToxicType, missingField, proxyAlreadyExists, proxyNotFound, toxicAlreadyExists, toxicNotFound, badRequestBody } from './errors.js';
import { NamedProxy, toxicView, type ProxyView, type ToxicRecord, type ToxicView } from './namedProxy.js';
import { describeIssues, parseOrThrow, proxyInputSchema, proxyUpdateSchema, toxicInputSchema, toxicUpdateSchema, type ProxyInput, type ProxyUpdate, type ToxicInput, type ToxicUpdate } from './schemas.js';
import { toxicTypes } from './toxics/registry.js';
import type { StreamDirection } from './toxics/stage.js';

export type { ProxyView, ToxicView } from './namedProxy.js';
export type { ProxyInput, ProxyUpdate, ToxicInput, ToxicUpdate } from './schemas.js';

export type FaultProxyEventKind = 'proxy.created' | 'proxy.updated' | 'proxy.deleted' | 'toxic.added' | 'toxic.updated' | 'toxic.removed' | 'reset';

/** Why a toxic or proxy went away. */
export type RemovalReason = 'api' | 'ttl' | 'reset' | 'proxy.deleted' | 'proxy.replaced' | 'closed';

export interface FaultProxyEvent {
  kind: FaultProxyEventKind;
  at: Date;
  /** The proxy after the change (before it, for proxy.deleted). Absent for reset. */
  proxy?: ProxyView;
  toxic?: ToxicView;
  reason?: RemovalReason;
}

export type FaultProxyListener = (event: FaultProxyEvent) => void;

export interface FaultProxyOptions {
  /** Draws toxicity, jitter, slicer sizes and http_error shares; Math.random by default. */
  random?: () => number;
}

/** A proxy whose `listen` cannot be used stays out; populate reports those created before it. */
export class PopulateError extends FaultProxyError {
  constructor(
    cause: FaultProxyError,
    readonly proxies: ProxyView[],
  ) {
    super(cause.message, cause.status);
  }
}

/**
 * A set of named TCP proxies with Toxiproxy's model: each listens on
 * host:port (port 0 picks a free one; the view reports the real one) and
 * forwards to its upstream through its toxics. Every change is announced to
 * `onChange` listeners, so faults can be audited and leased.
 */
export class FaultProxy {
  private readonly proxies = new Map<string, NamedProxy>();
  private readonly listeners = new Set<FaultProxyListener>();
  private readonly random: () => number;
  private seq = 0;
  /** Changes run one at a time, as Toxiproxy's collection lock does. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: FaultProxyOptions = {}) {
    this.random = opts.random ?? Math.random;
  }

  onChange(listener: FaultProxyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listProxies(): ProxyView[] {
    return [...this.proxies.values()].map((p) => p.view());
  }

  getProxy(name: string): ProxyView {
    return this.mustGet(name).view();
  }

  /** Open connections through a proxy, and how many of them a toxic applies to. */
  connections(name: string, toxic?: string): { open: number; affected?: number } {
    const p = this.mustGet(name);
    return toxic === undefined ? { open: p.connections } : { open: p.connections, affected: p.affectedConnections(toxic) };
  }

  createProxy(input: ProxyInput): Promise<ProxyView> {
    return this.serial(async () => {
      const parsed = parseOrThrow(proxyInputSchema, input, { required: ['name', 'upstream'] });
      if (this.proxies.has(parsed.name)) throw proxyAlreadyExists();
      const proxy = new NamedProxy(parsed.name, parsed.listen ?? '127.0.0.1:0', parsed.upstream, this.random);
      if (parsed.enabled ?? true) await proxy.start();
      this.proxies.set(proxy.name, proxy);
      this.emit({ kind: 'proxy.created', proxy: proxy.view() });
      return proxy.view();
    });
  }

  /**
   * Creates or replaces a list of proxies. One that exists with the same
   * listen and upstream is left as it is (toxics included); one that differs
   * is replaced. Every entry is checked before anything changes.
   */
  populate(inputs: unknown): Promise<ProxyView[]> {
    return this.serial(async () => {
      if (!Array.isArray(inputs)) throw badRequestBody('expected a JSON array of proxies');
      const parsed = inputs.map((input, i) => parseOrThrow(proxyInputSchema, input, { required: ['name', 'upstream'], suffix: ` at proxy ${i + 1}` }));
      const seen = new Set<string>();
      for (const p of parsed) {
        if (seen.has(p.name)) throw badRequestBody(`duplicate proxy name "${p.name}"`);
        seen.add(p.name);
      }
      const done: ProxyView[] = [];
      for (const p of parsed) {
        const listen = p.listen ?? '127.0.0.1:0';
        const existing = this.proxies.get(p.name);
        if (existing && existing.listensOn(listen) && existing.upstream === p.upstream) {
          done.push(existing.view());
          continue;
        }
        if (existing) await this.dropProxy(existing, 'proxy.replaced');
        const proxy = new NamedProxy(p.name, listen, p.upstream, this.random);
        try {
          if (p.enabled ?? true) await proxy.start();
        } catch (err) {
          throw new PopulateError(err instanceof FaultProxyError ? err : new FaultProxyError(String(err), 500), done);
        }
        this.proxies.set(proxy.name, proxy);
        this.emit({ kind: 'proxy.created', proxy: proxy.view() });
        done.push(proxy.view());
      }
      return done;
    });
  }

  /** Changes listen, upstream or enabled; a new listen or upstream restarts the proxy and drops its connections. */
  updateProxy(name: string, update: ProxyUpdate): Promise<ProxyView> {
    return this.serial(async () => {
      const proxy = this.mustGet(name);
      const parsed = parseOrThrow(proxyUpdateSchema, update);
      const listen = parsed.listen ?? proxy.listen;
      const upstream = parsed.upstream ?? proxy.upstream;
      const enabled = parsed.enabled ?? proxy.enabled;
      if (!proxy.listensOn(listen) || upstream !== proxy.upstream) {
        await proxy.stop();
        proxy.requestedListen = listen;
        proxy.listen = listen;
        proxy.upstream = upstream;
      }
      if (enabled && !proxy.enabled) await proxy.start();
      if (!enabled) await proxy.stop();
      this.emit({ kind: 'proxy.updated', proxy: proxy.view() });
      return proxy.view();
    });
  }

  deleteProxy(name: string): Promise<void> {
    return this.serial(async () => {
      await this.dropProxy(this.mustGet(name), 'api');
    });
  }

  listToxics(proxyName: string): ToxicView[] {
    return this.mustGet(proxyName).toxics.map(toxicView);
  }

  getToxic(proxyName: string, toxicName: string): ToxicView {
    const t = this.mustGet(proxyName).findToxic(toxicName);
    if (!t) throw toxicNotFound();
    return toxicView(t);
  }

  /**
   * Adds a toxic, to the connections already open as well as to new ones.
   * Defaults as in Toxiproxy: stream downstream (http_error: upstream),
   * toxicity 1, name `<type>_<stream>`. With `ttl` (ms) it removes itself.
   */
  addToxic(proxyName: string, input: ToxicInput): ToxicView {
    const proxy = this.mustGet(proxyName);
    const parsed = parseOrThrow(toxicInputSchema, input);
    const definition = parsed.type === undefined ? undefined : toxicTypes.get(parsed.type);
    if (parsed.stream !== undefined && parsed.stream !== 'upstream' && parsed.stream !== 'downstream') throw invalidStream();
    if (!parsed.type) throw missingField('type');
    if (!definition) throw invalidToxicType();
    const stream: StreamDirection = (parsed.stream as StreamDirection | undefined) ?? definition.streams?.[0] ?? 'downstream';
    if (definition.streams && !definition.streams.includes(stream)) throw badRequestBody(`stream: ${definition.type} works on the ${definition.streams.join(' or ')} stream only`);
    const name = parsed.name || `${parsed.type}_${stream}`;
    if (proxy.findToxic(name)) throw toxicAlreadyExists();
    const attributes = this.checkAttributes(definition.type, parsed.attributes ?? {});
    const record: ToxicRecord = { name, type: definition.type, stream, toxicity: parsed.toxicity ?? 1, attributes, seq: ++this.seq, definition };
    this.schedule(proxy, record, parsed.ttl);
    proxy.addToxic(record);
    this.emit({ kind: 'toxic.added', proxy: proxy.view(), toxic: toxicView(record) });
    return toxicView(record);
  }

  /** Changes a toxic's attributes (merged over the current ones), toxicity or ttl (counted from now). */
  updateToxic(proxyName: string, toxicName: string, update: ToxicUpdate): ToxicView {
    const proxy = this.mustGet(proxyName);
    const current = proxy.findToxic(toxicName);
    if (!current) throw toxicNotFound();
    const parsed = parseOrThrow(toxicUpdateSchema, update);
    const attributes = this.checkAttributes(current.type, { ...current.attributes, ...(parsed.attributes ?? {}) });
    const toxicity = parsed.toxicity ?? current.toxicity;
    const record: ToxicRecord = { ...current, attributes, toxicity };
    if (parsed.ttl !== undefined) {
      clearTimeout(current.timer);
      this.schedule(proxy, record, parsed.ttl);
    }
    proxy.replaceToxic(record, toxicity !== current.toxicity);
    this.emit({ kind: 'toxic.updated', proxy: proxy.view(), toxic: toxicView(record) });
    return toxicView(record);
  }

  removeToxic(proxyName: string, toxicName: string, reason: RemovalReason = 'api'): void {
    const proxy = this.mustGet(proxyName);
    const removed = proxy.removeToxic(toxicName);
    if (!removed) throw toxicNotFound();
    this.emit({ kind: 'toxic.removed', proxy: proxy.view(), toxic: toxicView(removed), reason });
  }

  /** Toxiproxy's reset: every proxy enabled, every toxic removed. */
  reset(): Promise<void> {
    return this.serial(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.start();
        for (const t of proxy.toxics) {
          proxy.removeToxic(t.name);
          this.emit({ kind: 'toxic.removed', proxy: proxy.view(), toxic: toxicView(t), reason: 'reset' });
        }
      }
      this.emit({ kind: 'reset' });
    });
  }

  /** Stops every proxy and timer. */
  close(): Promise<void> {
    return this.serial(async () => {
      for (const proxy of [...this.proxies.values()]) await this.dropProxy(proxy, 'closed');
    });
  }

  private checkAttributes(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
    const definition = toxicTypes.get(type)!;
    const result = definition.attributes.safeParse(attributes);
    if (!result.success) throw badRequestBody(describeIssues(result.error, 'attributes', attributes));
    return result.data as Record<string, unknown>;
  }

  private schedule(proxy: NamedProxy, record: ToxicRecord, ttl: number | undefined): void {
    if (ttl === undefined) return;
    record.ttl = ttl;
    record.expiresAt = new Date(Date.now() + ttl);
    record.timer = setTimeout(() => {
      if (this.proxies.get(proxy.name) !== proxy || proxy.findToxic(record.name)?.timer !== record.timer) return;
      this.removeToxic(proxy.name, record.name, 'ttl');
    }, ttl);
    record.timer.unref();
  }

  private async dropProxy(proxy: NamedProxy, reason: RemovalReason): Promise<void> {
    const before = proxy.view();
    for (const t of proxy.toxics) proxy.removeToxic(t.name);
    await proxy.stop();
    this.proxies.delete(proxy.name);
    this.emit({ kind: 'proxy.deleted', proxy: before, reason });
  }

  private mustGet(name: string): NamedProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  private emit(event: Omit<FaultProxyEvent, 'at'>): void {
    const full: FaultProxyEvent = { ...event, at: new Date() };
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure is its own; the proxy carries on.
      }
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
