/**
 * Steady, mixed shop traffic against the frontend(s): browse the page, add to cart, check
 * out, at a fixed rate, counting ok/failed per kind. As a program:
 *
 *   node dist/src/lab/shop/loadGenerator.js --url http://127.0.0.1:4000 [--url ...] [--rate 10] [--duration 60]
 *
 * prints the counts as a JSON line every 5 s and once more when it stops (SIGINT/SIGTERM or
 * after --duration seconds).
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { products } from './products.js';

export const loadKinds = ['browse', 'addToCart', 'checkout'] as const;
export type LoadKind = (typeof loadKinds)[number];

export interface LoadResult {
  kind: LoadKind;
  ok: boolean;
  /** Absent when no answer came (connection error, timeout, no frontend). */
  status?: number;
  error?: string;
  latencyMs: number;
  url?: string;
}

export type LoadCounts = Record<LoadKind, { ok: number; failed: number }>;

export interface LoadGeneratorOptions {
  /** Asked before every request, so the list can follow frontends that come and go. */
  frontendUrls: () => string[];
  ratePerSecond: number;
  onResult?: (result: LoadResult) => void;
  /** Share of each kind; checkout falls back to addToCart while no user has items. */
  mix?: Record<LoadKind, number>;
  users?: number;
  timeoutMs?: number;
}

export interface LoadGenerator {
  counts(): LoadCounts;
  /** Stops sending and waits for the requests under way. */
  stop(): Promise<LoadCounts>;
}

const defaultMix: Record<LoadKind, number> = { browse: 0.6, addToCart: 0.3, checkout: 0.1 };
const currencies = ['USD', 'EUR', 'GBP', 'JPY'];
const tickMs = 50;

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  const { frontendUrls, ratePerSecond, onResult, mix = defaultMix, users = 20, timeoutMs = 3000 } = options;
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond: must be above 0, got ${ratePerSecond}`);
  // Unique per run, so two generators (or two runs) never share a cart.
  const run = randomUUID().slice(0, 8);
  const userIds = Array.from({ length: users }, (_, i) => `load-${run}-${i}`);
  const withItems = new Set<string>();
  const counts: LoadCounts = { browse: { ok: 0, failed: 0 }, addToCart: { ok: 0, failed: 0 }, checkout: { ok: 0, failed: 0 } };
  const inFlight = new Set<Promise<void>>();
  let nextFrontend = 0;

  // A user adds or checks out one thing at a time, as a person in a browser would: two
  // checkouts of one cart at once would make the second fail on an empty cart.
  const busy = new Set<string>();
  const chooseKind = (): LoadKind => {
    let r = Math.random() * (mix.browse + mix.addToCart + mix.checkout);
    for (const kind of loadKinds) {
      if ((r -= mix[kind]) < 0) return kind === 'checkout' && withItems.size === 0 ? 'addToCart' : kind;
    }
    return 'browse';
  };
  const chooseUser = (kind: LoadKind): string | undefined => {
    const free = (kind === 'checkout' ? [...withItems] : userIds).filter((u) => !busy.has(u));
    return free.length > 0 ? pick(free) : undefined;
  };

  const send = async (kind: LoadKind, user: string): Promise<LoadResult> => {
    const urls = frontendUrls();
    if (urls.length === 0) return { kind, ok: false, error: 'no frontend to send to', latencyMs: 0 };
    const base = urls[nextFrontend++ % urls.length]!.replace(/\/+$/, '');
    const currency = pick(currencies);
    const json = { 'content-type': 'application/json', accept: 'application/json' };
    const [url, init]: [string, RequestInit] =
      kind === 'browse'
        ? [`${base}/?${new URLSearchParams({ user, currency })}`, {}]
        : kind === 'addToCart'
          ? [`${base}/cart`, { method: 'POST', headers: json, body: JSON.stringify({ user, productId: pick(products).id, quantity: 1 }) }]
          : [`${base}/checkout`, { method: 'POST', headers: json, body: JSON.stringify({ user, currency }) }];
    const started = Date.now();
    try {
      const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      const ok = res.status === (kind === 'browse' ? 200 : 201);
      if (ok && kind === 'addToCart') withItems.add(user);
      if (kind === 'checkout' && (ok || res.status === 400)) withItems.delete(user);
      return { kind, ok, status: res.status, latencyMs: Date.now() - started, url, ...(ok ? {} : { error: text.slice(0, 200) }) };
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? String(err));
      return { kind, ok: false, error, latencyMs: Date.now() - started, url };
    }
  };

  const launch = (): void => {
    let kind = chooseKind();
    // Browsing changes nothing, so it needs no session of its own; when every session that
    // could add or check out is busy, this request browses instead.
    let user = kind === 'browse' ? undefined : chooseUser(kind);
    if (user === undefined) kind = 'browse';
    const reserved = user;
    if (reserved !== undefined) busy.add(reserved);
    user ??= pick(userIds);
    const request = send(kind, user).then((result) => {
      if (reserved !== undefined) busy.delete(reserved);
      counts[kind][result.ok ? 'ok' : 'failed']++;
      try {
        onResult?.(result);
      } catch (err) {
        // The caller's bug must not stop the traffic, nor go unseen.
        process.emitWarning(`loadGenerator onResult threw: ${(err as Error).message}`);
      }
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  // Requests due by now, from the start time: steady on average even when ticks run late.
  const started = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * ratePerSecond) / 1000);
    // After a long stall (a suspended laptop), send at most a second's worth at once.
    sent = Math.max(sent, due - Math.ceil(ratePerSecond));
    for (; sent < due; sent++) launch();
  }, tickMs);

  const snapshot = (): LoadCounts => structuredClone(counts);
  return {
    counts: snapshot,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return snapshot();
    },
  };
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string', multiple: true }, rate: { type: 'string', default: '5' }, duration: { type: 'string' } },
    strict: true,
  });
  const urls = (values.url ?? []).flatMap((u) => u.split(',')).filter(Boolean);
  const rate = Number(values.rate);
  if (urls.length === 0 || !(rate > 0)) {
    process.stderr.write('usage: loadGenerator --url FRONTEND_URL [--url ...] [--rate PER_SECOND] [--duration SECONDS]\n');
    process.exit(2);
  }
  const generator = startLoadGenerator({ frontendUrls: () => urls, ratePerSecond: rate });
  const report = setInterval(() => process.stdout.write(`${JSON.stringify(generator.counts())}\n`), 5000);
  const finish = async (): Promise<void> => {
    clearInterval(report);
    process.stdout.write(`${JSON.stringify(await generator.stop())}\n`);
    process.exit(0);
  };
  process.once('SIGINT', () => void finish());
  process.once('SIGTERM', () => void finish());
  if (values.duration !== undefined) setTimeout(() => void finish(), Number(values.duration) * 1000);
}

if (isMain()) await main();
