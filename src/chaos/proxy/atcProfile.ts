import { z } from 'zod';
import { FaultProxyError } from './errors.js';
import type { FaultProxy, ToxicInput, ToxicView } from './faultProxy.js';
import { describeIssues } from './schemas.js';

/**
 * Facebook's Augmented Traffic Control (ATC) shaping profiles, as its
 * `utils/profiles/*.json` store them: `up` (device → network) and `down`
 * (network → device), each with `rate` in kbit/s, `delay` {delay, jitter,
 * correlation} in ms, `loss` and `corruption` {percentage, correlation},
 * `reorder` {percentage, gap, correlation} and `iptables_options`. The sides
 * sit under `shaping` (newer files) or `content` (older ones), or at the top;
 * numbers may be written as strings, as in ATC's own files.
 */
const number = (unit: string) =>
  z
    .union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, { error: `must be a number (${unit})` })], { error: `must be a number (${unit})` })
    .transform(Number)
    .pipe(z.number().min(0, { error: `must be 0 or more (${unit})` }))
    .default(0);
const percentage = () => number('percent').pipe(z.number().max(100, { error: 'must be at most 100 (percent)' }));

const side = z
  .object({
    rate: number('kbit/s'),
    delay: z.object({ delay: number('milliseconds'), jitter: number('milliseconds'), correlation: percentage() }).prefault({}),
    loss: z.object({ percentage: percentage(), correlation: percentage() }).prefault({}),
    reorder: z.object({ percentage: percentage(), gap: number('packets'), correlation: percentage() }).prefault({}),
    corruption: z.object({ percentage: percentage(), correlation: percentage() }).prefault({}),
    iptables_options: z.array(z.string(), { error: 'must be a list of strings' }).default([]),
  })
  .prefault({});

const sides = z.object({ up: side, down: side });
const profileSchema = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  name: z.string({ error: 'must be a string' }).optional(),
  shaping: sides.optional(),
  content: sides.optional(),
  up: side.optional(),
  down: side.optional(),
});

export type AtcSide = z.output<typeof side>;
export interface AtcProfile {
  name: string;
  up: AtcSide;
  down: AtcSide;
}

export interface AtcImport {
  profile: string;
  /** Toxics to add to a proxy, in order (per stream: rate, then delay, then the loss penalty). */
  toxics: Array<ToxicInput & { name: string; type: string; stream: 'upstream' | 'downstream'; attributes: Record<string, number> }>;
  /** What a TCP proxy reproduces only roughly, or not at all, of this profile. */
  notes: string[];
}

export interface AtcImportOptions {
  /** Retransmission timeout charged for a lost segment (Linux's minimum RTO is 200 ms). */
  rtoMs?: number;
  /** Segment size for the loss-limited throughput estimate (bytes). */
  mss?: number;
  /** Prefix of the toxic names (`atc_rate_downstream`, …). */
  prefix?: string;
}

/** Reads an ATC profile (a parsed JSON document); a bad one throws a 400 naming the field. */
export function parseAtcProfile(json: unknown, fallbackName = 'ATC profile'): AtcProfile {
  const result = profileSchema.safeParse(json);
  if (!result.success) throw new FaultProxyError(`invalid ATC profile: ${describeIssues(result.error, '', json)}`, 400);
  const p = result.data;
  const has = (key: string) => (json as Record<string, unknown>)[key] !== undefined;
  const s = has('shaping') ? p.shaping : has('content') ? p.content : has('up') || has('down') ? { up: p.up ?? side.parse({}), down: p.down ?? side.parse({}) } : undefined;
  if (!s) throw new FaultProxyError('invalid ATC profile: shaping: is required (an object with up and down)', 400);
  return { name: p.name ?? fallbackName, up: s.up, down: s.down };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const pct = (n: number) => `${round(n, 3)}%`;

/**
 * Turns an ATC profile into Toxiproxy toxics:
 * - `rate` (kbit/s) → `bandwidth` at rate ÷ 8 KB/s (1 KB = 1,000 bytes);
 * - `delay` ± `jitter` → `latency`;
 * - `loss` (and `corruption`, which TCP's checksum turns into loss) → a
 *   retransmit-like `latency` averaging loss × RTO, and a bandwidth no higher
 *   than what TCP sustains at that loss and round trip (Mathis et al. 1997:
 *   MSS / RTT × 1.22 / √p);
 * - `reorder`, correlations and `iptables_options` → notes only.
 */
export function atcProfileToToxics(input: AtcProfile | unknown, opts: AtcImportOptions = {}): AtcImport {
  const profile = parseAtcProfile(input);
  const rto = opts.rtoMs ?? 200;
  const mss = opts.mss ?? 1460;
  const prefix = opts.prefix ?? 'atc';
  const rttMs = profile.up.delay.delay + profile.down.delay.delay;
  const toxics: AtcImport['toxics'] = [];
  const notes: string[] = [
    'ATC shapes a whole network interface, shared by every connection; the proxy shapes each TCP connection on its own, so the rate applies per connection and several connections together can exceed it.',
  ];
  for (const [key, stream] of [['up', 'upstream'], ['down', 'downstream']] as const) {
    const s = profile[key];
    const where = `${key} (${stream})`;
    const lossShare = Math.min(1, (s.loss.percentage + s.corruption.percentage) / 100);
    let rateKBps = s.rate > 0 ? s.rate / 8 : 0;
    if (lossShare > 0 && rttMs > 0) {
      const mathisKBps = ((mss / (rttMs / 1000)) * (1.22 / Math.sqrt(lossShare))) / 1000;
      if (rateKBps === 0 || mathisKBps < rateKBps) {
        notes.push(
          `${where}: at ${pct(lossShare * 100)} loss and a ${round(rttMs, 1)} ms round trip TCP sustains about ${round(mathisKBps, 1)} KB/s (Mathis formula, MSS ${mss} bytes), ` +
            `${rateKBps === 0 ? 'so the bandwidth is capped there' : `below the profile's ${round(rateKBps, 1)} KB/s, so the bandwidth is capped there`}.`,
        );
        rateKBps = mathisKBps;
      }
    }
    if (rateKBps > 0) toxics.push({ name: `${prefix}_rate_${stream}`, type: 'bandwidth', stream, toxicity: 1, attributes: { rate: round(rateKBps) } });
    if (s.delay.delay > 0 || s.delay.jitter > 0) {
      toxics.push({ name: `${prefix}_delay_${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: Math.round(s.delay.delay), jitter: Math.round(s.delay.jitter) } });
      if (s.delay.jitter > 0) notes.push(`${where}: jitter is drawn uniformly within ±${round(s.delay.jitter, 1)} ms per chunk, where netem draws it per packet; chunks are never reordered by it.`);
      if (s.delay.correlation > 0) notes.push(`${where}: delay correlation ${pct(s.delay.correlation)} is not reproduced; each chunk's jitter is drawn on its own.`);
    }
    if (lossShare > 0) {
      const penalty = Math.max(1, Math.round(lossShare * rto));
      toxics.push({ name: `${prefix}_loss_${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: penalty, jitter: penalty } });
      notes.push(
        `${where}: ${pct(s.loss.percentage)} packet loss${s.corruption.percentage > 0 ? ` plus ${pct(s.corruption.percentage)} corruption` : ''} cannot be dropped inside a TCP stream (TCP would retransmit it); ` +
          `it is approximated as retransmit-like added latency of ${penalty} ms ± ${penalty} ms per chunk (loss × a ${rto} ms RTO, on average), ` +
          'which gives the mean cost but not the occasional long stall of a real retransmission timeout.',
      );
      if (s.loss.correlation > 0) notes.push(`${where}: loss correlation ${pct(s.loss.correlation)} (bursts of loss) is not reproduced.`);
    }
    if (s.corruption.percentage > 0)
      notes.push(`${where}: corruption ${pct(s.corruption.percentage)} is not reproducible over TCP: the receiver's checksum discards a corrupted segment and it is sent again, so it is counted as loss above; the application never sees corrupted bytes.`);
    if (s.reorder.percentage > 0)
      notes.push(
        `${where}: reordering ${pct(s.reorder.percentage)} (gap ${round(s.reorder.gap, 0)}) is not reproducible over TCP: the receiver puts segments back in order before the application reads them; its only visible effect, a short wait for the missing segment, is not added.`,
      );
    if (s.iptables_options.length > 0)
      notes.push(`${where}: iptables_options (${s.iptables_options.join(' ')}) are ignored; ATC uses them to shape only matching traffic, while the toxics shape everything through the proxy they are added to.`);
  }
  return { profile: profile.name, toxics, notes };
}

/** Adds a profile's toxics to one proxy (after removing toxics of the same names); returns what was added and the notes. */
export function applyAtcProfile(proxy: FaultProxy, proxyName: string, input: AtcProfile | unknown, opts: AtcImportOptions & { ttl?: number } = {}): { toxics: ToxicView[]; notes: string[] } {
  const imported = atcProfileToToxics(input, opts);
  const existing = new Set(proxy.listToxics(proxyName).map((t) => t.name));
  for (const t of imported.toxics) if (existing.has(t.name)) proxy.removeToxic(proxyName, t.name);
  const toxics = imported.toxics.map((t) => proxy.addToxic(proxyName, { ...t, ...(opts.ttl ? { ttl: opts.ttl } : {}) }));
  return { toxics, notes: imported.notes };
}

