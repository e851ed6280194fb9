import { z } from 'zod';
import { defineToxic, wholeNumber } from './definition.js';

/**
 * When data first arrives on the stream it is dropped and, `timeout` ms later
 * (at once with 0), both ends of the connection get a TCP RST: the client sees
 * "connection reset by peer".
 */
export const resetPeerToxic = defineToxic({
  type: 'reset_peer',
  attributes: z.object({ timeout: wholeNumber('milliseconds') }),
  create: ({ timeout }) => {
    let timer: NodeJS.Timeout | undefined;
    let armed = false;
    return {
      onDetach() {
        clearTimeout(timer);
      },
      onChunk(data, _at, io) {
        io.drop(data.length);
        if (armed) return;
        armed = true;
        if (timeout === 0) io.resetLink();
        else timer = setTimeout(() => io.resetLink(), timeout);
      },
    };
  },
});
