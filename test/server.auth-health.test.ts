import { afterEach, expect, it } from 'vitest';
import { startServer, StartupError } from '../src/server.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

describeEachStore('server: health, metrics and API tokens', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers health, readiness and Prometheus metrics including intake counts', async () => {
    server = await startTestServer(kind);
    expect((await server.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await server.request('GET', '/readyz')).body).toEqual({ status: 'ready', store: kind });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'A' } }]);
    await server.request('POST', '/api/v2/alerts', [{ labels: {} }]);
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toContain('prodeng_intake_events_total{source="prometheus",outcome="created"} 1');
    expect(metrics).toContain('prodeng_intake_events_total{source="prometheus",outcome="rejected"} 1');
    expect(metrics).toMatch(/prodeng_http_requests_total\{method="POST",route="\/api\/v2\/alerts",status="400"\} 1/);
    expect(metrics).toContain('prodeng_http_request_duration_seconds_bucket');
    expect(metrics).toContain('prodeng_process_resident_memory_bytes');
  });

  it('requires a bearer token on the API when tokens are configured, but not on health', async () => {
    server = await startTestServer(kind, { apiTokens: ['s3cret-token', 'other'] });
    const none = await server.request('GET', '/api/v1/alerts');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toContain('Authorization: Bearer');
    expect((await server.request('GET', '/api/v1/alerts', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await server.request('POST', '/api/v2/alerts', [{ labels: { a: 'b' } }], { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await server.request('GET', '/api/v1/alerts', undefined, { authorization: 'Bearer other' })).status).toBe(200);
    expect((await server.request('POST', '/api/v2/alerts', [{ labels: { a: 'b' } }], { authorization: 'Bearer s3cret-token' })).status).toBe(200);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
    expect((await server.request('GET', '/metrics')).status).toBe(200);
  });
});

it('refuses to listen beyond loopback without API tokens', async () => {
  await expect(startServer({ host: '0.0.0.0', port: 0, sqliteFile: ':memory:' })).rejects.toThrow(StartupError);
  await expect(startServer({ host: '0.0.0.0', port: 0, sqliteFile: ':memory:' })).rejects.toThrow(/PRODENG_API_TOKENS/);
});
