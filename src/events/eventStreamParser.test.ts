import { describe, expect, it } from 'vitest';
import { eventStreamParser } from './eventStreamParser.js';

describe('eventStreamParser', () => {
  it('dispatches named events on a blank line and skips comments', () => {
    const parser = eventStreamParser();
    expect(parser.push('retry: 3000\n\n: keep-alive\n\nevent: alert\ndata: {"alertId":1}\n\n')).toEqual([{ event: 'alert', data: '{"alertId":1}', id: null }]);
    expect(parser.retryMs).toBe(3000);
  });

  it('joins pieces split anywhere, CRLF included', () => {
    const parser = eventStreamParser();
    const text = 'event: hello\r\ndata: {"a":1}\r\n\r\ndata: plain\r\ndata: two\r\n\r\n';
    const out = [];
    for (const ch of text) out.push(...parser.push(ch));
    expect(out).toEqual([
      { event: 'hello', data: '{"a":1}', id: null },
      { event: 'message', data: 'plain\ntwo', id: null },
    ]);
  });

  it('keeps the last id and ignores a message without data', () => {
    const parser = eventStreamParser();
    expect(parser.push('id: alert:7\nevent: alert\n\nevent: x\ndata:1\n\n')).toEqual([{ event: 'x', data: '1', id: 'alert:7' }]);
  });
});
