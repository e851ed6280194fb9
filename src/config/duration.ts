import { z } from 'zod';

// Largest first: Prometheus requires this order in compound durations, and
// formatDuration walks it to write the shortest form.
const units = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

const unitRank = new Map<string, number>(units.map(([unit], rank) => [unit, rank]));
const unitMs = new Map<string, number>(units);

// `ms` before `m` so that "500ms" is not read as 500 minutes followed by "s".
const part = /(\d+)(ms|w|d|h|m|s)/y;

const EXAMPLES = 'write e.g. 500ms, 30s, 5m, 1h30m, 1d or 1w';

/** Prometheus-style durations (`500ms`, `30s`, `5m`, `1h30m`, `1d`, `1w`) in milliseconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '') throw new Error(`a duration must not be empty (${EXAMPLES})`);
  let total = 0;
  let lastRank = -1;
  part.lastIndex = 0;
  while (part.lastIndex < s.length) {
    const match = part.exec(s);
    if (!match) throw new Error(`"${text}" is not a duration (${EXAMPLES})`);
    const [, amount, unit] = match as unknown as [string, string, string];
    const rank = unitRank.get(unit) as number;
    // Prometheus rejects "30m1h" and "5m5m"; they are usually typos, so say so.
    if (rank <= lastRank) throw new Error(`"${text}" is not a duration: units must go from largest to smallest, each at most once (${EXAMPLES})`);
    lastRank = rank;
    total += Number(amount) * (unitMs.get(unit) as number);
  }
  if (!Number.isSafeInteger(total)) throw new Error(`"${text}" is too long a duration`);
  return total;
}

/** The shortest Prometheus-style form of a number of milliseconds: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const DURATION_EXPECTED = 'must be a duration such as 30s, 5m or 1h30m, or a positive number of seconds';

/** A duration string, or a positive number of seconds (YAML reads `interval: 60` as a number); output is milliseconds. */
export const durationSchema = z.union([z.string(), z.number()], { error: DURATION_EXPECTED }).transform((value, ctx) => {
  if (typeof value === 'number') {
    const ms = Math.round(value * 1000);
    if (!(value > 0) || !Number.isSafeInteger(ms)) {
      ctx.addIssue({ code: 'custom', message: DURATION_EXPECTED, input: value });
      return z.NEVER;
    }
    return ms;
  }
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message, input: value });
    return z.NEVER;
  }
});
