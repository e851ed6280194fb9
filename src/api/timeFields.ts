import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * The last instant prodeng takes: the end of year 9999. Past it, a time
 * cannot be written back as RFC 3339 (JavaScript prints +275760-…), and a
 * stored one would break every later read of the row.
 */
export const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const EARLIEST_INSTANT_MS = 0;

export function instantInRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS;
}

const RANGE = 'between 1970 and 9999';

/** An ISO 8601 / RFC 3339 time with its zone, between 1970 and 9999, as milliseconds. */
export const instantMs = z
  .string()
  .transform((s, ctx) => {
    const t = DateTime.fromISO(s, { setZone: true });
    if (!t.isValid) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time such as 2026-11-23T10:00:00Z' });
      return z.NEVER;
    }
    const ms = t.toMillis();
    if (!instantInRange(ms)) {
      ctx.addIssue({ code: 'custom', message: `must be a time ${RANGE}` });
      return z.NEVER;
    }
    return ms;
  });

/** The same, kept as the text given (for routes that hand it to luxon themselves). */
export const instantText = z.string().superRefine((s, ctx) => {
  const r = instantMs.safeParse(s);
  if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'invalid time' });
});
