import type { Socket } from 'node:net';
import type { StageIO, ToxicStage } from './toxics/stage.js';

type Item = { kind: 'data'; data: Buffer; at: number } | { kind: 'end' } | { kind: 'close' };

interface Slot {
  name: string;
  seq: number;
  stage: ToxicStage;
  queue: Item[];
  busy: boolean;
  /** Removed: passes everything on untouched until its queue is empty, then leaves the chain. */
  draining: boolean;
  gone: boolean;
  abort: AbortController;
  io: StageIO;
}

export interface PipeHooks {
  resetLink(): void;
  /** Closes both ends after what was written so far (FIN). */
  closeLink(): void;
  destroyLink(): void;
  /** Writes to the socket the data comes from (the answer of an http_error toxic). */
  answerSource(data: Buffer): void;
  /** This direction has passed its FIN on. */
  ended(): void;
  random(): number;
}

/** Bytes held in the toxics of one direction before the source is paused. */
const HIGH_WATER = 1024 * 1024;

/**
 * One direction of a proxied connection: chunks read from `source` go
 * through the stages of the toxics on this stream, in the order they were
 * added, and are written to `dest`. Stages are added and removed while data
 * flows; a removed stage hands on what it holds, in order, before it leaves.
 * With no stage a chunk is written straight through.
 */
export class ToxicPipe {
  private slots: Slot[] = [];
  private queuedBytes = 0;
  private waitingDrain = false;
  private paused = false;
  private finished = false;
  private shut = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly hooks: PipeHooks,
  ) {
    source.on('data', (chunk: Buffer) => this.input(chunk));
    source.on('end', () => this.forward(undefined, { kind: 'end' }));
    dest.on('drain', () => {
      this.waitingDrain = false;
      this.flow();
    });
  }

  get stageCount(): number {
    return this.slots.filter((s) => !s.draining).length;
  }

  attach(name: string, seq: number, stage: ToxicStage): void {
    if (this.shut) return;
    const abort = new AbortController();
    const slot: Slot = { name, seq, stage, queue: [], busy: false, draining: false, gone: false, abort, io: undefined as unknown as StageIO };
    slot.io = this.ioFor(slot);
    const at = this.slots.findIndex((s) => s.seq > seq);
    if (at < 0) this.slots.push(slot);
    else this.slots.splice(at, 0, slot);
    stage.onAttach?.(slot.io);
  }

  detach(name: string): void {
    const slot = this.slots.find((s) => s.name === name && !s.draining);
    if (!slot) return;
    slot.draining = true;
    slot.abort.abort();
    slot.stage.onDetach?.();
    if (!slot.busy && slot.queue.length === 0) this.unlink(slot);
  }

  /** The connection is gone: stop every stage, drop what they hold. */
  shutdown(): void {
    if (this.shut) return;
    this.shut = true;
    for (const slot of this.slots) {
      slot.draining = true;
      slot.abort.abort();
      slot.stage.onDetach?.();
      slot.queue.length = 0;
      slot.gone = true;
    }
    this.slots = [];
  }

  private input(chunk: Buffer): void {
    if (this.finished || this.shut) return;
    this.queuedBytes += chunk.length;
    this.forward(undefined, { kind: 'data', data: chunk, at: performance.now() });
    this.flow();
  }

  /** Hands an item to the stage after `from` (the first stage when undefined), or to the socket. */
  private forward(from: Slot | undefined, item: Item): void {
    if (this.shut) return;
    let next: Slot | undefined;
    if (from === undefined) next = this.slots[0];
    else if (!from.gone) next = this.slots[this.slots.indexOf(from) + 1];
    if (!next) return this.sink(item);
    next.queue.push(item);
    if (!next.busy) void this.pump(next);
  }

  private async pump(slot: Slot): Promise<void> {
    slot.busy = true;
    try {
      while (slot.queue.length > 0 && !this.shut) {
        const item = slot.queue.shift()!;
        if (slot.draining) {
          this.forward(slot, item);
          continue;
        }
        if (item.kind === 'data') {
          const pending = slot.stage.onChunk(item.data, item.at, slot.io);
          if (pending) await pending;
        } else if (item.kind === 'end') {
          const pass = slot.stage.onEnd ? await slot.stage.onEnd(slot.io) : true;
          if (pass || slot.draining) this.forward(slot, item);
        } else this.forward(slot, item);
      }
    } catch {
      this.hooks.destroyLink();
    } finally {
      slot.busy = false;
      if (slot.draining && !slot.gone) this.unlink(slot);
    }
  }

  private unlink(slot: Slot): void {
    slot.gone = true;
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
  }

  private sink(item: Item): void {
    if (this.finished) {
      if (item.kind === 'data') this.release(item.data.length);
      return;
    }
    const dest = this.dest;
    if (item.kind === 'data') {
      this.queuedBytes -= item.data.length;
      if (dest.writable && !dest.write(item.data)) this.waitingDrain = true;
      this.flow();
      return;
    }
    this.finished = true;
    if (item.kind === 'end') {
      if (dest.writable) dest.end();
      this.hooks.ended();
      return;
    }
    // close: the data handed on so far goes out, then the whole connection closes.
    this.hooks.closeLink();
  }

  private release(bytes: number): void {
    this.queuedBytes -= bytes;
    this.flow();
  }

  private flow(): void {
    const hold = this.waitingDrain || this.queuedBytes > HIGH_WATER;
    if (hold && !this.paused) {
      this.paused = true;
      this.source.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }

  private ioFor(slot: Slot): StageIO {
    return {
      emit: (data, at) => this.forward(slot, { kind: 'data', data, at: at ?? performance.now() }),
      drop: (bytes) => this.release(bytes),
      sleepUntil: (t) => abortableSleep(t - performance.now(), slot.abort.signal),
      now: () => performance.now(),
      get detached() {
        return slot.draining;
      },
      closeLink: () => this.forward(slot, { kind: 'close' }),
      resetLink: () => this.hooks.resetLink(),
      answerSource: (data) => this.hooks.answerSource(data),
      random: this.hooks.random,
    };
  }
}

/**
 * Resolves at `ms` from now by performance.now(), or when `signal` aborts.
 * Node's timers run on the event loop's millisecond clock and may fire up to
 * a millisecond early; the remainder is waited out so no deadline is met early.
 */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  const deadline = performance.now() + ms;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const check = () => {
      const left = deadline - performance.now();
      if (left <= 0.02) return done();
      if (left >= 1) timer = setTimeout(check, left);
      else immediate = setImmediate(check);
    };
    signal.addEventListener('abort', done, { once: true });
    timer = setTimeout(check, ms);
  });
}
