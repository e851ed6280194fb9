import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/** Data passes; the FIN waits `delay` ms before it is passed on. */
export const slowCloseToxic = defineToxic({
  type: 'slow_close',
  attributes: z.object({ delay: wholeNumber('milliseconds') }),
  create: ({ delay }) => ({
    onChunk(data, _at, io) {
      io.emit(data);
    },
    async onEnd(io) {
      await io.sleepUntil(io.now() + delay);
      return true;
    },
  }),
});
