/**
 * Splits the client→server bytes of an HTTP/1.x connection into requests,
 * keep-alive and chunked bodies included, without buffering bodies: heads
 * are held until complete, body bytes are handed out as they come. Anything
 * that does not read as HTTP/1.x (a toxic added mid-request, TLS, an upgraded
 * connection, CONNECT) turns the framer into a pass-through for the rest of
 * the connection.
 */
export interface RequestHead {
  method: string;
  target: string;
  version: string;
  /** Whether the connection stays open after this request (HTTP/1.1 default, `Connection: close`, HTTP/1.0 keep-alive). */
  keepAlive: boolean;
}

export type Segment =
  | { kind: 'head'; bytes: Buffer; head: RequestHead }
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'done' }
  | { kind: 'raw'; bytes: Buffer };

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

type State =
  | { at: 'head' }
  | { at: 'length'; left: number }
  | { at: 'chunk-size' }
  | { at: 'chunk-data'; left: number }
  | { at: 'chunk-data-end'; left: number }
  | { at: 'trailers' }
  | { at: 'raw' };

export class HttpRequestFramer {
  private state: State = { at: 'head' };
  private pending: Buffer = Buffer.alloc(0);
  private switchToRawAfter = false;

  push(data: Buffer): Segment[] {
    const out: Segment[] = [];
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      const s = this.state;
      if (s.at === 'raw') {
        out.push({ kind: 'raw', bytes: buf });
        break;
      }
      if (s.at === 'head') {
        // Stray CRLFs between requests are allowed (RFC 9112 §2.2).
        let skip = 0;
        while (skip + 1 < buf.length && buf[skip] === 13 && buf[skip + 1] === 10) skip += 2;
        if (skip) {
          out.push({ kind: 'raw', bytes: buf.subarray(0, skip) });
          buf = buf.subarray(skip);
          continue;
        }
        const end = buf.indexOf(CRLFCRLF);
        if (end < 0) {
          if (buf.length > MAX_HEAD || !looksLikeRequestStart(buf)) this.goRaw(out, buf);
          else this.pending = Buffer.from(buf);
          break;
        }
        const headBytes = buf.subarray(0, end + 4);
        buf = buf.subarray(end + 4);
        const parsed = parseHead(headBytes.toString('latin1'));
        if (!parsed) {
          this.goRaw(out, Buffer.concat([headBytes, buf]));
          break;
        }
        out.push({ kind: 'head', bytes: headBytes, head: parsed.head });
        this.switchToRawAfter = parsed.upgrade || parsed.head.method === 'CONNECT';
        if (parsed.chunked) this.state = { at: 'chunk-size' };
        else if (parsed.length > 0) this.state = { at: 'length', left: parsed.length };
        else this.finishRequest(out);
        continue;
      }
      if (s.at === 'length' || s.at === 'chunk-data' || s.at === 'chunk-data-end') {
        const take = Math.min(s.left, buf.length);
        out.push({ kind: 'body', bytes: buf.subarray(0, take) });
        buf = buf.subarray(take);
        s.left -= take;
        if (s.left === 0) {
          if (s.at === 'length') this.finishRequest(out);
          else if (s.at === 'chunk-data') this.state = { at: 'chunk-data-end', left: 2 };
          else this.state = { at: 'chunk-size' };
        }
        continue;
      }
      // chunk-size or trailers: line based.
      const eol = buf.indexOf(CRLF);
      if (eol < 0) {
        if (buf.length > MAX_LINE) this.goRaw(out, buf);
        else this.pending = Buffer.from(buf);
        break;
      }
      const line = buf.subarray(0, eol).toString('latin1');
      out.push({ kind: 'body', bytes: buf.subarray(0, eol + 2) });
      buf = buf.subarray(eol + 2);
      if (s.at === 'chunk-size') {
        const size = Number.parseInt(line.split(';', 1)[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) {
          this.goRaw(out, buf);
          break;
        }
        this.state = size === 0 ? { at: 'trailers' } : { at: 'chunk-data', left: size };
      } else if (line === '') {
        this.finishRequest(out);
      }
    }
    return out;
  }

  private finishRequest(out: Segment[]): void {
    out.push({ kind: 'done' });
    this.state = this.switchToRawAfter ? { at: 'raw' } : { at: 'head' };
  }

  private goRaw(out: Segment[], rest: Buffer): void {
    this.state = { at: 'raw' };
    if (rest.length) out.push({ kind: 'raw', bytes: rest });
  }
}

function looksLikeRequestStart(buf: Buffer): boolean {
  const text = buf.subarray(0, 16).toString('latin1');
  return /^[A-Z]{0,15}( |$)/.test(text);
}

function parseHead(text: string): { head: RequestHead; length: number; chunked: boolean; upgrade: boolean } | undefined {
  const lines = text.slice(0, -4).split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/(\d\.\d)$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const [, method, target, version] = m as unknown as [string, string, string, string];
  let length = 0;
  let chunked = false;
  let connection = '';
  let upgrade = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) return undefined;
      length = Number(value);
    } else if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
    else if (name === 'connection') connection += `,${value.toLowerCase()}`;
    else if (name === 'upgrade') upgrade = true;
  }
  const tokens = connection.split(',').map((t) => t.trim());
  const keepAlive = version === '1.0' ? tokens.includes('keep-alive') : !tokens.includes('close');
  return { head: { method, target, version, keepAlive }, length: chunked ? 0 : length, chunked, upgrade };
}
