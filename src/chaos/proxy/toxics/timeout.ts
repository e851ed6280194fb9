import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/**
 * Nothing gets through; the connection is closed `timeout` ms after the toxic
 * reached it. With 0 it is never closed and data is dropped until the toxic
 * is removed.
 */
export const timeoutToxic = defineToxic({
  type: 'timeout',
  attributes: z.object({ timeout: wholeNumber('milliseconds') }),
  create: ({ timeout }) => {
    let timer: NodeJS.Timeout | undefined;
    return {
      onAttach(io) {
        if (timeout > 0) timer = setTimeout(() => io.closeLink(), timeout);
      },
      onDetach() {
        clearTimeout(timer);
      },
      onChunk(data, _at, io) {
        io.drop(data.length);
      },
    };
  },
});
