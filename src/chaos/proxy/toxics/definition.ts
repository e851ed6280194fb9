import { z } from 'zod';
import type { StreamDirection, ToxicStage } from './stage.js';

/** One toxic type: its attribute schema (defaults filled in, as Toxiproxy's zero values) and how to build a stage. */
export interface ToxicDefinition<A extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  attributes: z.ZodType<A>;
  create(attributes: A): ToxicStage;
  /** Streams the toxic makes sense on; the first is its default when none is given. */
  streams?: readonly StreamDirection[];
}

export const defineToxic = <A extends Record<string, unknown>>(d: ToxicDefinition<A>): ToxicDefinition<A> => d;

/** A whole number of `unit` from 0, defaulting to 0 like Toxiproxy's int64 fields. */
export const wholeNumber = (unit: string) =>
  z
    .number({ error: `must be a number (${unit})` })
    .int({ error: `must be a whole number (${unit})` })
    .min(0, { error: `must be 0 or more (${unit})` })
    .default(0);

