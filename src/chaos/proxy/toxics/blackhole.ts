import { z } from 'zod';
import { defineToxic } from './definition.js';

/**
 * The stream's data vanishes and the connection stays open: nothing is
 * forwarded, nothing answers, nothing closes. Even the FIN is swallowed.
 * On `upstream` the server never sees the request.
 */
export const blackholeToxic = defineToxic({
  type: 'blackhole',
  attributes: z.object({}),
  create: () => ({
    onChunk(data, _at, io) {
      io.drop(data.length);
    },
    onEnd() {
      return false;
    },
  }),
});
