import type { Socket } from 'node:net';
import { ToxicPipe } from './toxicPipe.js';
import type { ToxicStage } from './toxics/stage.js';

/** What a link needs to know of a toxic to decide whether it applies and to build its stage. */
export interface LinkToxic {
  name: string;
  seq: number;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  create(): ToxicStage;
}

/**
 * One client connection and its connection to the upstream: `upstream`
 * carries client → server, `downstream` server → client. Whether a toxic
 * applies to this connection is drawn once per connection from its toxicity
 * (again when the toxicity changes).
 */
export class ProxyLink {
  readonly upstream: ToxicPipe;
  readonly downstream: ToxicPipe;
  private readonly applies = new Map<string, boolean>();
  private closed = false;
  private downstreamEnded = false;

  constructor(
    readonly client: Socket,
    readonly server: Socket,
    private readonly opts: { random: () => number; onClose: (link: ProxyLink) => void },
  ) {
    client.setNoDelay(true);
    const write = (socket: Socket) => (data: Buffer) => {
      if (socket.writable) socket.write(data);
    };
    this.upstream = new ToxicPipe(client, server, {
      resetLink: () => this.reset(),
      closeLink: () => this.close(),
      destroyLink: () => this.destroy(),
      answerSource: write(client),
      ended: () => {},
      random: opts.random,
    });
    this.downstream = new ToxicPipe(server, client, {
      resetLink: () => this.reset(),
      closeLink: () => this.close(),
      destroyLink: () => this.destroy(),
      answerSource: write(server),
      ended: () => {
        this.downstreamEnded = true;
      },
      random: opts.random,
    });
    client.on('error', () => this.destroy());
    server.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    // A server that closes cleanly may still have data held by downstream toxics for the client.
    server.on('close', (hadError) => {
      if (hadError || this.downstreamEnded) this.destroy();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  attach(toxic: LinkToxic): void {
    const applies = toxic.toxicity >= 1 || (toxic.toxicity > 0 && this.opts.random() < toxic.toxicity);
    this.applies.set(toxic.name, applies);
    if (applies) this.pipe(toxic).attach(toxic.name, toxic.seq, toxic.create());
  }

  /** A toxic's attributes or toxicity changed: its stage is replaced, in place, on this connection. */
  update(toxic: LinkToxic, toxicityChanged: boolean): void {
    const before = this.applies.get(toxic.name) ?? false;
    const applies = toxicityChanged ? toxic.toxicity >= 1 || (toxic.toxicity > 0 && this.opts.random() < toxic.toxicity) : before;
    this.applies.set(toxic.name, applies);
    if (before) this.pipe(toxic).detach(toxic.name);
    if (applies) this.pipe(toxic).attach(toxic.name, toxic.seq, toxic.create());
  }

  detach(toxic: Pick<LinkToxic, 'name' | 'stream'>): void {
    if (this.applies.get(toxic.name)) this.pipe(toxic).detach(toxic.name);
    this.applies.delete(toxic.name);
  }

  /** Whether the toxic was drawn for this connection. */
  applied(name: string): boolean {
    return this.applies.get(name) ?? false;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.upstream.shutdown();
    this.downstream.shutdown();
    this.client.destroy();
    this.server.destroy();
    this.opts.onClose(this);
  }

  /** Both ends get what was written to them, then a FIN; the sockets are destroyed once flushed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.upstream.shutdown();
    this.downstream.shutdown();
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      const fallback = setTimeout(() => socket.destroy(), 2000).unref();
      socket.end(() => {
        clearTimeout(fallback);
        socket.destroy();
      });
    }
    this.opts.onClose(this);
  }

  /** Both ends get a TCP RST. */
  reset(): void {
    if (this.closed) return;
    for (const socket of [this.client, this.server]) {
      try {
        if (!socket.destroyed) socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
    this.destroy();
  }

  private pipe(toxic: Pick<LinkToxic, 'stream'>): ToxicPipe {
    return toxic.stream === 'upstream' ? this.upstream : this.downstream;
  }
}
