import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { freePort, waitFor } from './support/peers.js';

// A real HTTP service: it writes its pid so the test can kill whichever copy runs.
const serviceScript = `import http from 'node:http';
import { writeFileSync } from 'node:fs';
const [port, pidFile] = process.argv.slice(2);
writeFileSync(pidFile, String(process.pid));
http.createServer((req, res) => res.end('ok')).listen(Number(port), '127.0.0.1');
`;

const healthy = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
};

describeEachStore('end to end: a killed service is restarted by its runbook', (kind) => {
  let server: TestServer | undefined;
  let pidFile = '';
  afterEach(async () => {
    await server?.stop();
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  });

  it('confirms the outage, restarts the process with exec, verifies by probing it, and keeps the story', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-e2e-'));
    const script = join(dir, 'service.mjs');
    pidFile = join(dir, 'service.pid');
    writeFileSync(script, serviceScript);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    spawn(process.execPath, [script, String(port), pidFile], { stdio: 'ignore', detached: true }).unref();
    await waitFor('the service to answer', () => healthy(url), 10_000);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    await waitFor('the service to be down', async () => !(await healthy(url)), 10_000);

    server = await startTestServer(kind, {
      clock: systemClock,
      configYaml: `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-service }
spec:
  match: { alertname: ServiceDown }
  target: "{{ labels.instance }}"
  manualMinutes: 20
  confirm: { http: { url: "http://{{ labels.instance }}/", timeout: 1s } }
  steps:
    - name: start
      action: exec
      with:
        argv: ["sh", "-c", "nohup \\"$0\\" \\"$1\\" \\"$2\\" \\"$3\\" >/dev/null 2>&1 &", "${process.execPath}", "${script}", "{{ labels.port }}", "${pidFile}"]
        timeout: 10s
  verify: { probe: { http: { url: "http://{{ labels.instance }}/", timeout: 1s } }, within: 20s }
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
    expect(await healthy(url)).toBe(true);
    await server.request('POST', '/api/v2/alerts', [{ labels, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    expect((await server.request('GET', '/api/v1/alerts')).body.alerts[0].status).toBe('resolved');
    const story = (await server.request('GET', `/api/v1/remediations/${done.id}`)).body.timeline.map((t: any) => `${t.kind}: ${t.message}`);
    expect(story[0]).toMatch(/^matched: runbook restart-service matched alert/);
    expect(story).toContainEqual(expect.stringMatching(/^gate: confirmed: GET http:\/\/127\.0\.0\.1:\d+\/: ECONNREFUSED$/));
    expect(story).toContainEqual(expect.stringMatching(/^step\.finished: start: sh exited with 0$/));
    expect(story[story.length - 1]).toMatch(/^verified: verified: GET http:\/\/127\.0\.0\.1:\d+\/: 200$/);
  }, 40_000);
});
