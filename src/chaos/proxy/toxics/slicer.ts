import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/**
 * Cuts each chunk into slices of `average_size` ± `size_variation` bytes,
 * waiting `delay` µs between them (Node's timers round a wait up to about a
 * millisecond, so delays under 1,000 µs come out as ~1 ms).
 */
export const slicerToxic = defineToxic({
  type: 'slicer',
  attributes: z
    .object({
      average_size: z
        .number({ error: 'must be a number (bytes)' })
        .int({ error: 'must be a whole number (bytes)' })
        .min(1, { error: 'must be 1 or more (bytes)' }),
      size_variation: wholeNumber('bytes'),
      delay: wholeNumber('microseconds'),
    })
    .refine((a) => a.size_variation < a.average_size, { path: ['size_variation'], error: 'must be smaller than average_size' }),
  create: ({ average_size, size_variation, delay }) => ({
    async onChunk(data, _at, io) {
      let offset = 0;
      while (offset < data.length) {
        if (io.detached) return io.emit(data.subarray(offset));
        const variation = size_variation > 0 ? Math.round((io.random() * 2 - 1) * size_variation) : 0;
        const size = Math.max(1, average_size + variation);
        io.emit(data.subarray(offset, offset + size));
        offset += size;
        if (offset < data.length && delay > 0) await io.sleepUntil(io.now() + delay / 1000);
      }
    },
  }),
});
