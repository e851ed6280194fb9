import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// Issue 13: the README's console tour gave {severity="critical"} as the Alerts page's label filter. The filter
// (GET /api/v1/alerts?match[]=) sees an alert's own labels; severity is a column that a label backs only when the
// sender sent one (a Prometheus rule's severity label), so a generic or PagerDuty critical alert is not found by it.
// The README's example is one that finds what it says.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const EXAMPLE = '{alertname="CartDown", instance=~"cart-.*"}';

describeEachStore('the console\'s label filter', (kind) => {
  let server: TestServer;
  const matching = async (matcher: string) =>
    ((await server.request('GET', `/api/v1/alerts?${new URLSearchParams({ status: 'firing', 'match[]': matcher })}`)).body.alerts as Array<{ summary: string }>).map((a) => a.summary).sort();
  beforeAll(async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-22T10:00:00Z')) });
    const alert = (instance: string, severity: string) => ({ labels: { alertname: 'CartDown', instance, severity, service: 'cart' }, annotations: { summary: `${instance} down (${severity})` } });
    expect((await server.request('POST', '/api/v2/alerts', [alert('cart-1', 'critical'), alert('cart-2', 'warning'), alert('web-1', 'critical')])).status).toBe(200);
    const generic = await server.request('POST', '/api/v1/intake/generic', { summary: 'payments down (generic critical)', dedupKey: 'pay-1', severity: 'critical', service: 'payments' });
    expect(generic.status).toBe(202);
  });
  afterAll(async () => server?.stop());

  it('finds by the README\'s example what the example says', async () => {
    expect(readme).toContain(`label matchers (\`${EXAMPLE}\``);
    expect(readme).not.toContain('{severity="critical"}');
    expect(await matching(EXAMPLE)).toEqual(['cart-1 down (critical)', 'cart-2 down (warning)']);
  });

  it('matches severity only where the sender sent it as a label', async () => {
    const all = (await server.request('GET', '/api/v1/alerts?status=firing')).body.alerts as Array<{ summary: string; severity: string }>;
    expect(all.find((a) => a.summary.startsWith('payments'))?.severity).toBe('critical');
    expect(await matching('{severity="critical"}')).toEqual(['cart-1 down (critical)', 'web-1 down (critical)']);
  });
});
