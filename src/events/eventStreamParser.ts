// The client side of text/event-stream, for readers that cannot use
// EventSource: the console sends its token in a header, which EventSource
// cannot. No Node imports, so the console can use it as it is.

/** One dispatched message of a text/event-stream. */
export interface ServerSentEvent {
  /** "message" when the server named none */
  event: string;
  data: string;
  id: string | null;
}

export interface EventStreamParser {
  /** the next piece of the decoded text; returns the messages it completed */
  push(text: string): ServerSentEvent[];
  /** the reconnection delay the server last asked for, if any */
  readonly retryMs: number | null;
}

/** The HTML standard's parsing rules: CR, LF or CRLF line ends, `:` comments, data lines joined by LF, a blank line dispatches. */
export function eventStreamParser(): EventStreamParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;
  let retryMs: number | null = null;
  // A CR at the end of one piece may be the first half of a CRLF.
  let skipLeadingLf = false;

  const field = (line: string, out: ServerSentEvent[]) => {
    if (line === '') {
      if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n'), id });
      event = '';
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'id' && !value.includes('\0')) id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  };

  return {
    get retryMs() {
      return retryMs;
    },
    push(text) {
      const out: ServerSentEvent[] = [];
      if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
      skipLeadingLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== '\n' && ch !== '\r') continue;
        field(buffer.slice(start, i), out);
        if (ch === '\r') {
          if (i + 1 === buffer.length) skipLeadingLf = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
