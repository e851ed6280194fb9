import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// The CLI asks the server which runbooks exist; one that never ran is still one (issue 13).
const config = `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-cart }
spec:
  match: { alertname: CartDown }
  target: "{{ labels.instance }}"
  steps: [{ name: restart, action: exec, with: { argv: ["true"] } }]
  safety: { requireApproval: true }
`;

describeEachStore('GET /api/v1/runbooks', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { clock: new ManualClock(Date.now()), configYaml: config });
  });
  afterAll(async () => server?.stop());

  it('lists configured runbooks that no remediation ever ran', async () => {
    const res = await server.request('GET', '/api/v1/runbooks');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      runbooks: [
        expect.objectContaining({ name: 'restart-cart', match: expect.anything(), target: '{{ labels.instance }}', steps: [{ name: 'restart', action: 'exec' }], requireApproval: true, dryRun: false }),
      ],
    });
    expect((await server.request('GET', '/api/v1/runbooks/restart-cart')).body).toMatchObject({ name: 'restart-cart' });
  });

  it('answers 404 naming the runbook that does not exist', async () => {
    const res = await server.request('GET', '/api/v1/runbooks/restart-crat');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).toContain('no Runbook named restart-crat');
  });
});
