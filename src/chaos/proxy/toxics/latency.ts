import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/**
 * Every chunk leaves `latency` ms (± `jitter`, uniform) after it arrived.
 * Deadlines count from each chunk's arrival, so a stream of chunks is
 * shifted by the latency rather than spaced out by it.
 */
export const latencyToxic = defineToxic({
  type: 'latency',
  attributes: z.object({ latency: wholeNumber('milliseconds'), jitter: wholeNumber('milliseconds') }),
  create: ({ latency, jitter }) => ({
    async onChunk(data, at, io) {
      const delay = jitter > 0 ? Math.max(0, latency + (io.random() * 2 - 1) * jitter) : latency;
      await io.sleepUntil(at + delay);
      io.emit(data);
    },
  }),
});
