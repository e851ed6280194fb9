import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { freePort, waitFor } from './support/peers.js';
import { shopTeam } from './support/shopTeam.js';

// A config Experiment run by the server itself (POST /api/v1/chaos/experiments/NAME/runs):
// its http probes hit a real HTTP receiver through one of prodeng's fault
// proxies, its toxic is injected by direct calls and rolled back, an alert
// raised meanwhile is labelled with the run and shows in its report.

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
async function prodeng(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, PRODENG_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const experiment = (name: string, pauseAfter: number) => `apiVersion: prodeng/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  title: web answers through 50 ms of latency (${name})
  description: the web tier tolerates a slow network
  extensions:
    - { name: prodeng, service: web }
  configuration:
    web: { type: env, key: WEB_URL }
  steady-state-hypothesis:
    title: web answers 200
    probes:
      - type: probe
        name: web-answers
        tolerance: 200
        provider: { type: http, url: "\${web}/", timeout: 3 }
  method:
    - type: action
      name: slow-web
      provider: { type: prodeng, func: proxy.add_toxic, arguments: { proxy: web, type: latency, attributes: { latency: 50 } } }
      pauses: { after: ${pauseAfter} }
    - type: probe
      name: web-still-answers
      provider: { type: http, url: "\${web}/", timeout: 3, expected_status: 200 }
  rollbacks:
    - type: action
      name: unslow-web
      provider: { type: prodeng, func: proxy.remove_toxic, arguments: { proxy: web } }
`;

describeEachStore('server-side runs of config Experiments', (kind) => {
  let server: TestServer;
  let receiver: Server;
  let hits = 0;
  beforeEach(async () => {
    hits = 0;
    receiver = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>web</html>');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const proxyPort = await freePort();
    server = await startTestServer(kind, {
      configYaml: [shopTeam(['web', { job: 'web' }]), experiment('web-latency', 2), experiment('web-latency-long', 120)].join('---\n'),
      env: { ...process.env, WEB_URL: `http://127.0.0.1:${proxyPort}` },
    });
    const proxy = await server.request('POST', '/api/v1/chaos/toxiproxy/proxies', { name: 'web', listen: `127.0.0.1:${proxyPort}`, upstream: `127.0.0.1:${(receiver.address() as AddressInfo).port}` });
    expect(proxy.status).toBe(201);
  });
  afterEach(async () => {
    await server?.stop();
    await new Promise((r) => receiver.close(r));
  });

  const toxics = async () => (await server.request('GET', '/api/v1/chaos/toxiproxy/proxies/web/toxics')).body as unknown[];
  const runOf = async (id: number) => (await server.request('GET', `/api/v1/chaos/runs/${id}`)).body;

  it('runs the experiment in the server, rolls its toxic back, keeps the journal and reports the alert raised meanwhile', async () => {
    const started = await server.request('POST', '/api/v1/chaos/experiments/web-latency/runs', {});
    expect(started.status).toBe(202);
    const id = started.body.id as number;
    await waitFor('the toxic to be injected', async () => (await toxics()).length === 1, 10_000);
    // An alert of the service under test, during the run: intake labels it with the run.
    expect((await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'WebSlow', job: 'web', severity: 'page' }, annotations: { summary: 'web p99 above 40 ms\n| rows' } }])).status).toBe(200);
    const run = await waitFor('the run to end', async () => {
      const r = await runOf(id);
      return r.status !== 'running' && r;
    }, 20_000);
    expect(run).toMatchObject({ status: 'completed', deviated: false, service: 'web', startedBy: 'local' });
    expect(run.journal).toMatchObject({ status: 'completed', steady_states: { before: { steady_state_met: true }, after: { steady_state_met: true } } });
    expect(run.journal.run.map((r: any) => [r.activity.name, r.status])).toEqual([['slow-web', 'succeeded'], ['web-still-answers', 'succeeded']]);
    expect(run.journal.rollbacks[0]).toMatchObject({ status: 'succeeded', output: { reverted: [run.faults[0].id] } });
    expect(run.faults).toHaveLength(1);
    expect(run.faults[0]).toMatchObject({ kind: 'toxic', revertedBy: 'rollback' });
    expect(await toxics()).toEqual([]);
    expect(hits).toBeGreaterThanOrEqual(3);
    const alert = ((await server.request('GET', '/api/v2/alerts')).body as any[]).find((a) => a.labels.alertname === 'WebSlow');
    expect(alert.labels.chaos_run).toBe(String(id));

    const listed = (await server.request('GET', '/api/v1/chaos/experiments')).body.experiments;
    expect(listed.find((e: any) => e.name === 'web-latency')).toMatchObject({ service: 'web', lastRun: { id, status: 'completed', experiment: 'web-latency' } });
    expect(listed.find((e: any) => e.name === 'web-latency-long').lastRun).toBeNull();

    const report = await fetch(`${server.url}/api/v1/chaos/runs/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const md = await report.text();
    expect(md).toContain(`# Chaos run ${id}: web answers through 50 ms of latency (web-latency)`);
    expect(md).toContain('**web answers 200**');
    expect(md).toContain('| web-answers | `200` |');
    expect(md).toContain('**Completed: the hypothesis held.**');
    expect(md).toMatch(/### After the method: steady state met\n[\s\S]*\| web-answers \| met \| http 200 \|/);
    expect(md).toMatch(/\| slow-web \| action \| succeeded \|/);
    expect(md).toContain("by the experiment's rollback");
    expect(md).toMatch(/\| alert WebSlow fired \(critical\): web p99 above 40 ms \\\| rows \|/);
    expect(md).toMatch(/incident \d+ opened \(a ticket, nobody paged\)/);
    expect((await server.request('GET', '/api/v1/chaos/runs/999999/report')).status).toBe(404);
  });

  it('refuses with 423 while the service has an open incident, and keeps the refusal; 404 for an unknown name', async () => {
    expect((await server.request('POST', '/api/v1/incidents', { title: 'web is down', service: 'web' })).status).toBe(201);
    const refused = await server.request('POST', '/api/v1/chaos/experiments/web-latency/runs', {});
    expect(refused.status).toBe(423);
    expect(refused.body.error).toMatchObject({ code: 'incident_open' });
    expect(refused.body.error.message).toMatch(/service web has open incident \d+ \(web is down\)/);
    const [run] = (await server.request('GET', '/api/v1/chaos/runs')).body.runs;
    expect(run).toMatchObject({ status: 'refused', service: 'web' });
    expect((await server.request('GET', '/api/v1/chaos/experiments')).body.experiments[0].lastRun).toMatchObject({ status: 'refused' });
    const md = (await server.request('GET', `/api/v1/chaos/runs/${run.id}/report`)).body as string;
    expect(md).toMatch(/\*\*Refused\.\*\* Nothing ran: service web has open incident/);
    expect(await toxics()).toEqual([]);
    const unknown = await server.request('POST', '/api/v1/chaos/experiments/no-such/runs', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('no Experiment "no-such" in the config (known: web-latency, web-latency-long)');
  });

  it('prodeng chaos start NAME waits for the server-side run and exits as chaos run does; chaos report prints the report', async () => {
    const started = await prodeng(['chaos', 'start', 'web-latency', '--url', server.url]);
    expect(started, started.stderr).toMatchObject({ code: 0 });
    const id = /chaos run (\d+): web-latency/.exec(started.stdout)?.[1];
    expect(id).toBeDefined();
    expect(started.stdout).toMatch(/^completed$/m);
    const report = await prodeng(['chaos', 'report', id!, '--url', server.url]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('**Completed: the hypothesis held.**');
    // refused: an open incident; the command says why and exits 1
    expect((await server.request('POST', '/api/v1/incidents', { title: 'web is down', service: 'web' })).status).toBe(201);
    const refused = await prodeng(['chaos', 'start', 'web-latency', '--url', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the run was not started: .*service web has open incident/);
  });

  it('a server that stops mid-run interrupts it, rolls back and stores it as interrupted', async () => {
    const started = await server.request('POST', '/api/v1/chaos/experiments/web-latency-long/runs', {});
    expect(started.status).toBe(202);
    await waitFor('the toxic to be injected', async () => (await toxics()).length === 1, 10_000);
    await server.close();
    const store = await openStore(server.db.options);
    try {
      const run = await store.db.selectFrom('chaos_runs').selectAll().where('id', '=', started.body.id).executeTakeFirstOrThrow();
      expect(run.status).toBe('interrupted');
      expect(run.experiment_name).toBe('web-latency-long');
      expect(JSON.parse(run.journal!).rollbacks[0]).toMatchObject({ status: 'succeeded' });
      const faults = await store.db.selectFrom('chaos_faults').selectAll().execute();
      expect(faults.map((f) => f.reverted_by)).toEqual(['rollback']);
    } finally {
      await store.close();
    }
    server.stop = () => server.db.cleanup();
  });
});
