/**
 * Fault injection: real faults in the real process, driven by the admin API under /_lab/.
 *
 *   GET    /_lab/faults          active faults, memory (rssBytes) and disk use
 *   POST   /_lab/faults          {"fault": "crash"|"hang"|"slow"|"errors"|"disk-full"|"leak", ...params}
 *   DELETE /_lab/faults          clears every fault
 *   DELETE /_lab/faults/{fault}  clears one
 *
 * - crash: answers, then exits with code 70 (EX_SOFTWARE).
 * - hang: answers, then blocks the main thread for good with Atomics.wait, which sleeps
 *   without burning CPU. The listening socket stays open, so the kernel still completes TCP
 *   handshakes (a TCP probe connects) but nothing reads or answers a request (an HTTP probe,
 *   healthz and /_lab/ included, times out). Like a deadlocked process it no longer runs its
 *   SIGTERM handler: only SIGKILL ends it.
 * - slow {ms, path?}: adds ms before answering requests on path (or below it); without path,
 *   every request but /_lab/.
 * - errors {share}: that share of requests (but /_lab/) answer 500.
 * - disk-full: fills the --data dir up to its quota with a ballast file, so writes fail (507)
 *   and healthz answers 507; clearing removes the ballast.
 * - leak {mbPerSecond = 5, maxMb = 1024}: retains filled Buffers until cleared; maxMb keeps a
 *   forgotten leak from taking the whole machine down.
 *
 * Posting a fault of a kind already active replaces it. With --admin-token, /_lab/ asks for
 * `Authorization: Bearer TOKEN`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataDir } from './dataDir.js';
import { HttpError, readBody, sendError, sendReply } from './http.js';

export const faultKinds = ['crash', 'hang', 'slow', 'errors', 'disk-full', 'leak'] as const;
export type FaultKind = (typeof faultKinds)[number];

export type Fault =
  | { fault: 'crash' }
  | { fault: 'hang' }
  | { fault: 'slow'; ms: number; path?: string }
  | { fault: 'errors'; share: number }
  | { fault: 'disk-full' }
  | { fault: 'leak'; mbPerSecond: number; maxMb: number };

export const crashExitCode = 70;

const allowedFields: Record<FaultKind, readonly string[]> = {
  crash: [],
  hang: [],
  slow: ['ms', 'path'],
  errors: ['share'],
  'disk-full': [],
  leak: ['mbPerSecond', 'maxMb'],
};

/** Checks a POST /_lab/faults body; a 400 names the bad field. */
export function parseFault(body: Record<string, unknown>): Fault {
  const kind = body.fault;
  if (typeof kind !== 'string' || !(faultKinds as readonly string[]).includes(kind)) {
    throw new HttpError(400, `fault: must be one of ${faultKinds.join(', ')}`);
  }
  const fault = kind as FaultKind;
  for (const field of Object.keys(body)) {
    if (field !== 'fault' && !allowedFields[fault].includes(field)) {
      throw new HttpError(400, `${field}: not a parameter of fault ${fault} (it takes ${allowedFields[fault].join(', ') || 'none'})`);
    }
  }
  switch (fault) {
    case 'crash':
    case 'hang':
    case 'disk-full':
      return { fault };
    case 'slow': {
      const ms = numberIn(body, 'ms', 1, 60_000, { integer: true });
      if (body.path === undefined) return { fault, ms: ms! };
      if (typeof body.path !== 'string' || !body.path.startsWith('/') || body.path.startsWith('/_lab')) {
        throw new HttpError(400, 'path: must be a path starting with / (and not /_lab)');
      }
      return { fault, ms: ms!, path: body.path };
    }
    case 'errors': {
      const share = body.share;
      if (typeof share !== 'number' || !(share > 0 && share <= 1)) throw new HttpError(400, 'share: must be a number above 0 and at most 1');
      return { fault, share };
    }
    case 'leak':
      return { fault, mbPerSecond: numberIn(body, 'mbPerSecond', 0.1, 500, { fallback: 5 })!, maxMb: numberIn(body, 'maxMb', 1, 65_536, { fallback: 1024 })! };
  }
}

function numberIn(body: Record<string, unknown>, field: string, min: number, max: number, options: { integer?: boolean; fallback?: number }): number | undefined {
  const value = body[field];
  if (value === undefined && options.fallback !== undefined) return options.fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (options.integer && !Number.isInteger(value))) {
    throw new HttpError(400, `${field}: must be ${options.integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

type ActiveFault = Exclude<Fault, { fault: 'crash' } | { fault: 'hang' }> & { since: string };

/** The faults active in this process and their effects. */
export class FaultInjector {
  private readonly active = new Map<FaultKind, ActiveFault>();
  private leaked: Buffer[] = [];
  private leakedBytes = 0;
  private leakTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: DataDir,
    private readonly log: (message: string) => void,
  ) {}

  /** Starts a fault. crash and hang take effect through `afterReply`, once the answer is out. */
  inject(fault: Fault, afterReply: (effect: () => void) => void): void {
    this.log(`fault injected: ${JSON.stringify(fault)}`);
    if (fault.fault === 'crash') return afterReply(() => process.exit(crashExitCode));
    if (fault.fault === 'hang') return afterReply(hangForever);
    this.clear(fault.fault);
    if (fault.fault === 'disk-full') this.dataDir.fillWithBallast();
    if (fault.fault === 'leak') this.startLeak(fault.mbPerSecond, fault.maxMb);
    this.active.set(fault.fault, { ...fault, since: new Date().toISOString() });
  }

  clear(kind?: FaultKind): void {
    for (const k of kind ? [kind] : [...this.active.keys()]) {
      if (!this.active.delete(k)) continue;
      this.log(`fault cleared: ${k}`);
      if (k === 'disk-full') this.dataDir.removeBallast();
      if (k === 'leak') this.stopLeak();
    }
  }

  /**
   * What the faults do to a request (every path but /_lab/) before its handler runs: the
   * added latency, then an injected error as [status, message], or undefined to go on.
   */
  async beforeRequest(path: string): Promise<[number, string] | undefined> {
    const slow = this.active.get('slow') as Extract<ActiveFault, { fault: 'slow' }> | undefined;
    if (slow && (slow.path === undefined || path === slow.path || path.startsWith(`${slow.path.replace(/\/$/, '')}/`))) {
      await new Promise((resolve) => setTimeout(resolve, slow.ms));
    }
    const errors = this.active.get('errors') as Extract<ActiveFault, { fault: 'errors' }> | undefined;
    if (errors && Math.random() < errors.share) return [500, `injected fault: errors (share ${errors.share})`];
    return undefined;
  }

  describe(): Record<string, unknown> {
    const memory = process.memoryUsage();
    return {
      faults: [...this.active.values()],
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, leakedBytes: this.leakedBytes },
      disk: { usedBytes: this.dataDir.usageBytes(), quotaBytes: this.dataDir.quotaBytes, ballastBytes: this.dataDir.ballastBytes() },
    };
  }

  close(): void {
    this.stopLeak();
  }

  private startLeak(mbPerSecond: number, maxMb: number): void {
    const ticksPerSecond = 10;
    const chunkBytes = Math.max(1, Math.round((mbPerSecond * 1024 * 1024) / ticksPerSecond));
    this.leakTimer = setInterval(() => {
      if (this.leakedBytes + chunkBytes > maxMb * 1024 * 1024) return;
      // Filled, not just allocated: untouched pages would not count in RSS.
      this.leaked.push(Buffer.allocUnsafeSlow(chunkBytes).fill(0x4c));
      this.leakedBytes += chunkBytes;
    }, 1000 / ticksPerSecond);
  }

  private stopLeak(): void {
    clearInterval(this.leakTimer);
    this.leakTimer = undefined;
    this.leaked = [];
    this.leakedBytes = 0;
  }
}

/** Blocks the main thread for good, asleep: see `hang` above. */
function hangForever(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** Serves /_lab/faults and /_lab/faults/{fault}. */
export async function handleAdminRequest(req: IncomingMessage, res: ServerResponse, path: string, injector: FaultInjector, adminToken: string | undefined): Promise<void> {
  if (adminToken !== undefined && !bearerMatches(req.headers.authorization, adminToken)) {
    return sendError(res, 401, '/_lab/ needs Authorization: Bearer <admin token>');
  }
  const method = req.method ?? 'GET';
  if (path === '/_lab/faults') {
    if (method === 'GET') return sendReply(res, { json: injector.describe() });
    if (method === 'DELETE') {
      injector.clear();
      return sendReply(res, { json: injector.describe() });
    }
    if (method === 'POST') {
      const fault = parseFault(await readBody(req));
      let effect: (() => void) | undefined;
      injector.inject(fault, (e) => (effect = e));
      if (effect) {
        const run = effect;
        res.once('finish', () => setImmediate(run));
        res.setHeader('connection', 'close');
        return sendReply(res, { json: { injected: fault, effect: fault.fault === 'crash' ? `exiting with code ${crashExitCode}` : 'hanging: no further answers' } });
      }
      return sendReply(res, { status: 201, json: { injected: fault, ...injector.describe() } });
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    return sendError(res, 405, `${method} ${path}: use GET, POST or DELETE`);
  }
  const one = /^\/_lab\/faults\/([\w-]+)$/.exec(path);
  if (one) {
    if (method !== 'DELETE') {
      res.setHeader('allow', 'DELETE');
      return sendError(res, 405, `${method} ${path}: use DELETE`);
    }
    const kind = one[1]!;
    if (!(faultKinds as readonly string[]).includes(kind)) throw new HttpError(400, `fault: must be one of ${faultKinds.join(', ')}`);
    injector.clear(kind as FaultKind);
    return sendReply(res, { json: injector.describe() });
  }
  sendError(res, 404, `${path}: the admin API has /_lab/faults and /_lab/faults/{fault}`);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
