import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeAction } from './probe.js';
import { healthCheckSchema } from './probe.js';

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });

describe('probe action: what an exec check sees of prodeng', () => {
  it('runs with PATH and the variables its env lists, not with prodeng secrets', async () => {
    process.env.PRODENG_TEST_PROBE_SECRET = 'tok-should-not-leak';
    process.env.PRODENG_TEST_PROBE_NAMED = 'named-value';
    const out = join(mkdtempSync(join(tmpdir(), 'prodeng-probe-env-')), 'env');
    const check = healthCheckSchema.parse({ exec: { argv: ['/bin/sh', '-c', '/usr/bin/env > "$0"', out], env: ['PRODENG_TEST_PROBE_NAMED'] } });
    const r = await probeAction.run(check, ctx());
    expect(r.ok).toBe(true);
    const env = readFileSync(out, 'utf8');
    expect(env).not.toContain('tok-should-not-leak');
    expect(env).toContain('PRODENG_TEST_PROBE_NAMED=named-value');
    expect(env).toMatch(/^PATH=/m);
  });
});

describe('probe action: an http check with allowedHosts', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('sends nothing to a host outside the list', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`;
    const refused = await probeAction.run(healthCheckSchema.parse({ http: { url, allowedHosts: ['web-*.shop.internal:8080'] } }), ctx());
    expect(refused).toMatchObject({ ok: false, summary: expect.stringMatching(/^GET http:.*: refused: host 127\.0\.0\.1:\d+ of .* is not in allowedHosts \(web-\*\.shop\.internal:8080\); nothing was sent$/) });
    expect(requests).toBe(0);
    const allowed = await probeAction.run(healthCheckSchema.parse({ http: { url, allowedHosts: ['127.0.0.1:*'] } }), ctx());
    expect(allowed.ok).toBe(true);
    expect(requests).toBe(1);
  });
});

describe('probe action: a tcp check whose address comes from a template', () => {
  it('needs allowedHosts beside a templated address', () => {
    const parsed = healthCheckSchema.safeParse({ tcp: { address: '{{ labels.instance }}' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['tcp', 'address'], message: expect.stringMatching(/allowedHosts/) });
    expect(healthCheckSchema.safeParse({ tcp: { address: '{{ labels.instance }}', allowedHosts: ['db-*.internal:5432'] } }).success).toBe(true);
  });

  it('connects to nothing outside the list, nor to anything that is more than host:port', async () => {
    let connections = 0;
    const server = createNetServer(() => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const refused = await probeAction.run(healthCheckSchema.parse({ tcp: { address: `127.0.0.1:${port}`, allowedHosts: ['db-*.internal:5432'] } }), ctx());
      expect(refused).toMatchObject({ ok: false, summary: `TCP 127.0.0.1:${port}: refused: host 127.0.0.1:${port} is not in allowedHosts (db-*.internal:5432); nothing was sent` });
      const reshaped = await probeAction.run(healthCheckSchema.parse({ tcp: { address: `db-1.internal:5432@127.0.0.1:${port}`, allowedHosts: ['127.0.0.1:*'] } }), ctx());
      expect(reshaped).toMatchObject({ ok: false, summary: expect.stringMatching(/is not host:port/) });
      expect(connections).toBe(0);
      const allowed = await probeAction.run(healthCheckSchema.parse({ tcp: { address: `127.0.0.1:${port}`, allowedHosts: ['127.0.0.1:*'] } }), ctx());
      expect(allowed.ok).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
