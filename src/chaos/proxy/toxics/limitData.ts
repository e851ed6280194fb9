import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/** Passes the first `bytes` bytes of the stream, then closes the connection. */
export const limitDataToxic = defineToxic({
  type: 'limit_data',
  attributes: z.object({ bytes: wholeNumber('bytes') }),
  create: ({ bytes }) => {
    let passed = 0;
    let closed = false;
    return {
      onChunk(data, _at, io) {
        if (closed) return io.drop(data.length);
        const room = bytes - passed;
        const keep = Math.min(room, data.length);
        if (keep > 0) io.emit(keep === data.length ? data : data.subarray(0, keep));
        if (keep < data.length) io.drop(data.length - keep);
        passed += keep;
        if (passed >= bytes) {
          closed = true;
          io.closeLink();
        }
      },
    };
  },
});
