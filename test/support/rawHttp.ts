import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** the body, or its first part when it is a stream (an event stream never ends) */
  body: string;
}

/**
 * One request with the path sent exactly as given (fetch and URL would
 * normalise `%61`, `..` and case), and any Host header. It answers once the
 * body ends or, for a stream, shortly after the headers.
 */
export function rawRequest(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: opts.method ?? 'GET', path: opts.path, headers: { ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers }, agent: false },
      (res) => {
        let body = '';
        const done = () => {
          clearTimeout(timer);
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        };
        const timer = setTimeout(done, (res.headers['content-type'] ?? '').includes('event-stream') ? 50 : 5_000);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 64_000) body += chunk;
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
