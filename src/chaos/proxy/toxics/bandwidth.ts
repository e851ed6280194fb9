import { z } from 'zod';
import { defineToxic } from './definition.js';

/**
 * At most `rate` KB/s (1 KB = 1,000 bytes, as Toxiproxy counts it). Data is
 * sent in slices of 100 ms worth, each when the link would have finished
 * sending it; the clock carries over between chunks, so a long transfer
 * averages the rate however the data arrives. 0 = no limit.
 */
export const bandwidthToxic = defineToxic({
  type: 'bandwidth',
  attributes: z.object({
    rate: z.number({ error: 'must be a number (KB/s)' }).min(0, { error: 'must be 0 or more (KB/s)' }).default(0),
  }),
  create: ({ rate }) => {
    let clock = 0; // when the link finishes what it was given so far (performance.now ms)
    return {
      async onChunk(data, at, io) {
        if (rate <= 0 || io.detached) return io.emit(data);
        const bytesPerMs = rate; // KB/s = bytes/ms
        const slice = Math.max(1, Math.floor(bytesPerMs * 100));
        let t = Math.max(clock, at);
        for (let offset = 0; offset < data.length; offset += slice) {
          const piece = data.subarray(offset, offset + slice);
          t += piece.length / bytesPerMs;
          await io.sleepUntil(t);
          io.emit(piece);
        }
        clock = io.detached ? 0 : t;
      },
    };
  },
});
