import { z } from 'zod';

export const API_VERSION = 'prodeng/v1';

/** DNS-label-like, so a name works in URLs, file names and metric labels. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

const metadataSchema = z
  .object({
    name: z.string().regex(NAME_PATTERN, 'must be lowercase letters, digits, ".", "_" or "-", start and end with a letter or digit, and be at most 63 characters'),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** The part every document shares; `spec` is checked by the kind's own schema. */
export const envelopeSchema = z
  .object(
    {
      apiVersion: z.literal(API_VERSION, {
        error: (issue) => (issue.input === undefined ? `is required: ${API_VERSION}` : `must be ${API_VERSION} (or openslo/v1 for an OpenSLO document), not ${JSON.stringify(issue.input)}`),
      }),
      kind: z.string(),
      metadata: metadataSchema,
      spec: z.unknown().optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'a document must be a mapping with apiVersion, kind, metadata and spec' : undefined) },
  )
  .strict();
