import { z } from 'zod';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Prometheus-style durations: `500ms`, `30s`, `5m`, `1h30m`, `1d`, `1w`. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '') throw new Error('a duration must not be empty (write e.g. 30s, 5m, 1h30m)');
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < s.length) {
    const start = part.lastIndex;
    const m = part.exec(s);
    if (!m || m.index !== start) throw new Error(`"${text}" is not a duration (write e.g. 30s, 5m, 1h30m, 1d)`);
    total += Number(m[1]) * (unitMs[m[2] as string] as number);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const size = unitMs[unit] as number;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A duration string, or a number of seconds; parsed to milliseconds. */
export const durationSchema = z.union([z.string(), z.number().positive()]).transform((v, ctx) => {
  if (typeof v === 'number') return Math.round(v * 1000);
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
