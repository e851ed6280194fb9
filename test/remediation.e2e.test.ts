import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';
import { answers, startThenKillService, type KilledService } from './support/killedService.js';

describeEachStore('end to end: a killed service is restarted by its runbook', (kind) => {
  let server: TestServer | undefined;
  let service: KilledService | undefined;
  afterEach(async () => {
    await server?.stop();
    service?.kill();
    service = undefined;
  });

  it('confirms the outage, restarts the process with exec, verifies by probing it, and keeps the story', async () => {
    service = await startThenKillService();
    const { port, script, pidFile } = service;

    server = await startTestServer(kind, {
      clock: systemClock,
      configYaml: `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-service }
spec:
  match: { alertname: ServiceDown }
  target: "{{ labels.instance }}"
  manualMinutes: 20
  confirm: { http: { url: "http://{{ labels.instance }}/", allowedHosts: ["127.0.0.1:*"], timeout: 1s } }
  steps:
    - name: start
      action: exec
      with:
        argv: ["sh", "-c", "nohup \\"$0\\" \\"$1\\" \\"$2\\" \\"$3\\" >/dev/null 2>&1 &", "${process.execPath}", "${script}", "{{ labels.port }}", "${pidFile}"]
        timeout: 10s
  verify: { probe: { http: { url: "http://{{ labels.instance }}/", allowedHosts: ["127.0.0.1:*"], timeout: 1s } }, within: 20s }
`,
    });
    // What the service's probe reports through intake.
    const labels = { alertname: 'ServiceDown', instance: `127.0.0.1:${port}`, port: String(port) };
    await server.request('POST', '/api/v2/alerts', [{ labels, annotations: { summary: 'the service does not answer' } }]);
    const done = await waitFor(
      'the remediation to be verified',
      async () => {
        await server!.remediation.runOnce();
        const r = (await server!.request('GET', '/api/v1/remediations')).body.remediations[0];
        return r && ['succeeded', 'failed', 'escalated', 'skipped'].includes(r.status) ? r : undefined;
      },
      25_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', runbook: 'restart-service', target: `127.0.0.1:${port}` });
    expect(await answers(service.url)).toBe(true);
    await server.request('POST', '/api/v2/alerts', [{ labels, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].status).toBe('resolved');
    const story = (await server.request('GET', `/api/v1/remediations/${done.id}`)).body.timeline.map((t: any) => `${t.kind}: ${t.message}`);
    expect(story[0]).toMatch(/^matched: runbook restart-service matched alert/);
    expect(story).toContainEqual(expect.stringMatching(/^gate: confirmed: GET http:\/\/127\.0\.0\.1:\d+\/: ECONNREFUSED$/));
    expect(story).toContainEqual(expect.stringMatching(/^step\.finished: start: sh exited with 0$/));
    expect(story[story.length - 1]).toMatch(/^verified: verified: GET http:\/\/127\.0\.0\.1:\d+\/: 200$/);
  }, 40_000);
});
