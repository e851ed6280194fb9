import { z } from 'zod';
import { CHANGE_KINDS } from './changeStore.js';

// The fields a person or a pipeline sends for a change, checked once at the edge.
// Limits keep one change a line on a timeline, not a document.

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty (leave it out instead)')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const changeFields = {
  service: z.string({ error: 'is required: the configured Service that changed' }).trim().min(1, 'is required: the configured Service that changed').max(200, 'must be at most 200 characters'),
  version: text(128).optional(),
  kind: z.enum(CHANGE_KINDS, { error: `must be one of ${CHANGE_KINDS.join(', ')}` }),
  summary: z
    .string({ error: 'is required: say what changed' })
    .trim()
    .min(1, 'is required: say what changed')
    .max(1024, 'must be at most 1024 characters')
    // One line: it is a line on a timeline and a row of the postmortem's table.
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line without control characters'),
  // Git's SHA-1 (40) or SHA-256 (64) ids, or an abbreviation of at least 7, as CI reports take them.
  commit: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{7,64}$/, 'must be a commit id: 7 to 64 hexadecimal digits')
    .transform((s) => s.toLowerCase())
    .optional(),
  // Only http(s): the link is shown to responders, and a javascript: or file: URL has no business there.
  link: z
    .string()
    .trim()
    .max(2048, 'must be at most 2048 characters')
    .refine((s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL')
    .optional(),
};

/** How far ahead of the server's clock a change may say it happened: clocks differ a little, a change on the record has happened. */
export const FUTURE_SKEW_MS = 5 * 60_000;
