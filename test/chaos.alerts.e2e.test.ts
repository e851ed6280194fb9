import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { shopTeam } from './support/shopTeam.js';

const config = shopTeam(['ad', { job: 'ad' }], ['cart', { job: 'cart' }]);

describeEachStore('alerts during a chaos run: named after the experiment, and tickets unless the run pages', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind, { configYaml: config });
  });
  afterEach(async () => server.stop());
  const fire = (alertname: string, job: string) => server.request('POST', '/api/v2/alerts', [{ labels: { alertname, job, severity: 'page' } }]);
  const alertNamed = async (alertname: string) => ((await server.request('GET', '/api/v2/alerts')).body as any[]).find((a) => a.labels.alertname === alertname);

  it('labels the target service’s alerts with chaos_experiment and opens a ticket; other services page as ever; after the run, as ever', async () => {
    const run = await server.request('POST', '/api/v1/chaos/runs', { title: 'ad fails', service: 'ad' });
    expect(run.status).toBe(201);
    await fire('AdErrors', 'ad');
    await fire('CartDown', 'cart');
    expect((await alertNamed('AdErrors')).labels).toMatchObject({ chaos_experiment: 'ad fails', chaos_run: String(run.body.id) });
    expect((await alertNamed('CartDown')).labels.chaos_experiment).toBeUndefined();
    const incidents = (await server.request('GET', '/api/v1/incidents')).body.incidents as any[];
    expect(incidents.find((i) => i.service === 'ad')).toMatchObject({ urgency: 'low' });
    expect(incidents.find((i) => i.service === 'ad').story.join('\n')).toContain(`chaos run ${run.body.id} (ad fails) is breaking ad on purpose`);
    expect(incidents.find((i) => i.service === 'cart')).toMatchObject({ urgency: 'high' });

    const ended = await server.request('PUT', `/api/v1/chaos/runs/${run.body.id}/journal`, { journal: { status: 'completed', deviated: false } });
    expect(ended.status).toBe(200);
    await fire('AdSlow', 'ad');
    expect((await alertNamed('AdSlow')).labels.chaos_experiment).toBeUndefined();
  });

  it('pages as usual when the run asks to', async () => {
    expect((await server.request('POST', '/api/v1/chaos/runs', { title: 'ad fails, wake us', service: 'ad', page: true })).status).toBe(201);
    await fire('AdErrors', 'ad');
    const [incident] = (await server.request('GET', '/api/v1/incidents')).body.incidents;
    expect(incident).toMatchObject({ service: 'ad', urgency: 'high' });
    expect((await alertNamed('AdErrors')).labels.chaos_experiment).toBe('ad fails, wake us');
  });

  it('names the field of a bad run or fault request', async () => {
    const bad = await server.request('POST', '/api/v1/chaos/runs', { title: '', blastRadius: 2 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/title/);
    const fault = await server.request('POST', '/api/v1/chaos/faults', { kind: 'lab-fault', target: { scenario: 'meteor', service: 'ad' } });
    expect(fault.status).toBe(400);
    expect(JSON.stringify(fault.body)).toMatch(/scenario/);
    const unknown = await server.request('POST', '/api/v1/chaos/faults', { kind: 'earthquake', target: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('unknown fault kind "earthquake" (known: lab-fault, toxic, edge)');
  });
});
