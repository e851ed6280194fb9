import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { defineToxic } from './definition.js';
import { HttpRequestFramer } from './httpRequestFramer.js';

/**
 * Answers a share of the HTTP/1.x requests on the connection itself, with
 * `status` (e.g. 503) and `body`, instead of forwarding them; the others go
 * through untouched. The share is drawn per request, keep-alive connections
 * included. Works on the `upstream` stream, where the requests are. Requests
 * pipelined behind a forwarded one may be answered out of order (Node, curl
 * and browsers do not pipeline).
 */
export const httpErrorToxic = defineToxic({
  type: 'http_error',
  streams: ['upstream'],
  attributes: z.object({
    status: z
      .number({ error: 'must be a number (an HTTP status code)' })
      .int({ error: 'must be a whole number (an HTTP status code)' })
      .min(400, { error: 'must be an error status, 400 to 599' })
      .max(599, { error: 'must be an error status, 400 to 599' })
      .default(503),
    share: z.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be from 0 to 1' }).max(1, { error: 'must be from 0 to 1' }).default(1),
    body: z.string({ error: 'must be a string' }).max(65536, { error: 'must be at most 65,536 characters' }).optional(),
  }),
  create: ({ status, share, body }) => {
    const framer = new HttpRequestFramer();
    let answering = false;
    let head: { method: string; keepAlive: boolean } | undefined;
    const text = body ?? `${status} ${STATUS_CODES[status] ?? 'Error'} (injected by the fault proxy)\n`;
    const payload = Buffer.from(text, 'utf8');
    const answer = (h: { method: string; keepAlive: boolean }) =>
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
            `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${payload.length}\r\n` +
            `Connection: ${h.keepAlive ? 'keep-alive' : 'close'}\r\nX-Fault-Injected: http_error\r\n\r\n`,
          'latin1',
        ),
        h.method === 'HEAD' ? Buffer.alloc(0) : payload,
      ]);
    return {
      onChunk(data, _at, io) {
        for (const seg of framer.push(data)) {
          if (seg.kind === 'raw') io.emit(seg.bytes);
          else if (seg.kind === 'head') {
            head = seg.head;
            answering = share >= 1 || (share > 0 && io.random() < share);
            if (answering) io.drop(seg.bytes.length);
            else io.emit(seg.bytes);
          } else if (seg.kind === 'body') {
            if (answering) io.drop(seg.bytes.length);
            else io.emit(seg.bytes);
          } else if (answering && head) {
            io.answerSource(answer(head));
            if (!head.keepAlive) io.closeLink();
            answering = false;
          }
        }
      },
    };
  },
});
