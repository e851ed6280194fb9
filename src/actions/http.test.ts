import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { httpAction, httpParams } from './http.js';

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });

describe('http action against a real HTTP receiver', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function receiver(statuses: number[]): Promise<{ url: string; seen: Array<{ method: string; auth: string | undefined; body: string; path?: string }> }> {
    const seen: Array<{ method: string; auth: string | undefined; body: string; path?: string }> = [];
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, auth: req.headers.authorization, body });
        res.statusCode = statuses[Math.min(seen.length - 1, statuses.length - 1)]!;
        res.end('done');
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}/drain`, seen };
  }

  it('sends the request with a secret header from the environment and retries with backoff', async () => {
    process.env.PRODENG_TEST_LB_TOKEN = 'Bearer s3cret';
    const { url, seen } = await receiver([503, 503, 202]);
    const r = await httpAction.run(
      httpParams.parse({ url, body: { host: 'web-1' }, headersFromEnv: { Authorization: 'PRODENG_TEST_LB_TOKEN' }, retries: 2, backoff: '10ms' }),
      ctx(),
    );
    expect(r.ok).toBe(true);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toEqual({ method: 'POST', auth: 'Bearer s3cret', body: '{"host":"web-1"}' });
    expect(JSON.stringify(r.output)).not.toContain('s3cret');
  });

  it('fails after its retries on an unexpected status, and on a refused connection', async () => {
    const { url } = await receiver([500]);
    const r = await httpAction.run(httpParams.parse({ url, retries: 1, backoff: '10ms' }), ctx());
    expect(r.ok).toBe(false);
    expect(r.summary).toBe(`POST ${url}: 500 after 2 attempt(s)`);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await httpAction.run(httpParams.parse({ url: `http://127.0.0.1:${port}/`, retries: 0 }), ctx());
    expect(refused.ok).toBe(false);
    expect(refused.summary).toContain('ECONNREFUSED');
  });

  it('sends nothing to a host outside allowedHosts, and says so', async () => {
    const { url, seen } = await receiver([200]);
    const r = await httpAction.run(httpParams.parse({ url, allowedHosts: ['10.1.2.*:*'], retries: 2, backoff: '10ms' }), ctx());
    expect(r.ok).toBe(false);
    expect(r.summary).toBe(`POST ${url}: refused: host 127.0.0.1:${new URL(url).port} of ${url} is not in allowedHosts (10.1.2.*:*); nothing was sent`);
    expect(seen).toHaveLength(0);
    const allowed = await httpAction.run(httpParams.parse({ url, allowedHosts: ['127.0.0.1:*'] }), ctx());
    expect(allowed.ok).toBe(true);
    expect(seen).toHaveLength(1);
  });
});

describe('http step parameters as a runbook writes them', () => {
  it('takes a URL template whose host comes from a label when allowedHosts is beside it', () => {
    expect(httpParams.safeParse({ url: 'http://{{ labels.instance }}/drain', allowedHosts: ['web-*:8080'] }).success).toBe(true);
    expect(httpParams.safeParse({ url: 'http://lb.internal:{{ labels.port }}/drain', allowedHosts: ['lb.internal:*'] }).success).toBe(true);
  });

  it('refuses what is not an http(s) URL', () => {
    for (const url of ['file:///etc/passwd', 'ftp://lb/x', 'lb.internal/drain', 'gopher://lb:70/x']) {
      expect(httpParams.safeParse({ url }).success, url).toBe(false);
    }
  });
});

