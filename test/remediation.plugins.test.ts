import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';
import { answers, startThenKillService, type KilledService } from './support/killedService.js';

/** A config directory with one plugin module in plugins/. */
function configWithPlugin(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-plugin-e2e-'));
  mkdirSync(join(dir, 'plugins'));
  writeFileSync(join(dir, 'plugins', 'plugin.ts'), source);
  return dir;
}

const finished = (server: TestServer) =>
  waitFor(
    'the remediation to finish',
    async () => {
      await server.remediation.runOnce();
      const r = (await server.request('GET', '/api/v1/remediations')).body.remediations[0];
      return r && ['succeeded', 'failed', 'escalated', 'skipped'].includes(r.status) ? r : undefined;
    },
    25_000,
  );

const story = async (server: TestServer, id: number): Promise<string[]> =>
  (await server.request('GET', `/api/v1/remediations/${id}`)).body.timeline.map((t: any) => `${t.kind}: ${t.message}`);

describeEachStore('TypeScript plugins remediate through the engine', (kind) => {
  let server: TestServer | undefined;
  let service: KilledService | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    service?.kill();
    service = undefined;
  });

  it('a plugin probes a killed service, starts it with exec, and verification proves it; every call is in the audit', async () => {
    service = await startThenKillService();
    const { port, script, pidFile } = service;

    server = await startTestServer(kind, {
      clock: systemClock,
      configDir: configWithPlugin(`import { definePlugin, type PluginContext } from 'prodeng/plugin';

async function start(ctx: PluginContext, port: string) {
  return ctx.actions.exec({
    argv: ['sh', '-c', 'nohup "$0" "$1" "$2" "$3" >/dev/null 2>&1 &', ${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}, port, ${JSON.stringify(pidFile)}],
    timeout: '10s',
  });
}

export default definePlugin({
  name: 'start-service',
  match: { alertname: 'ServiceDown' },
  target: '{{ labels.instance }}',
  manualMinutes: 20,
  verify: { probe: { http: { url: 'http://{{ labels.instance }}/', allowedHosts: ['127.0.0.1:*'], timeout: '1s' } }, within: '20s' },
  async remediate(ctx) {
    const before = await ctx.actions.probe({ http: { url: 'http://' + ctx.target + '/', timeout: '1s' } });
    if (before.ok) return { ok: true, summary: ctx.target + ' already answers; nothing to do' };
    ctx.log('down for alert ' + ctx.alert.id + ' (' + ctx.alert.labels.alertname + '); starting it');
    const started = await start(ctx, ctx.alert.labels.port!);
    return { ok: started.ok, summary: 'started ' + ctx.target + ': ' + started.summary, output: { port: ctx.alert.labels.port } };
  },
});
`),
    });
    const labels = { alertname: 'ServiceDown', instance: `127.0.0.1:${port}`, port: String(port) };
    await server.request('POST', '/api/v2/alerts', [{ labels, annotations: { summary: 'the service does not answer' } }]);
    const done = await finished(server);
    expect(done).toMatchObject({ status: 'succeeded', runbook: 'start-service', target: `127.0.0.1:${port}` });
    expect(await answers(service.url)).toBe(true);
    const lines = await story(server, done.id);
    expect(lines).toContainEqual(expect.stringMatching(/^step\.started: remediate: plugin start-service \(remediate, risk disruptive\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^step\.log: probe: GET http:\/\/127\.0\.0\.1:\d+\/: ECONNREFUSED$/));
    expect(lines).toContainEqual(expect.stringMatching(/^step\.log: down for alert \d+ \(ServiceDown\); starting it$/));
    expect(lines).toContainEqual('step.log: exec: sh exited with 0');
    expect(lines).toContainEqual(expect.stringMatching(/^step\.finished: remediate: started 127\.0\.0\.1:\d+: sh exited with 0$/));
    expect(lines[lines.length - 1]).toMatch(/^verified: verified: GET http:\/\/127\.0\.0\.1:\d+\/: 200$/);
    const detail = (await server.request('GET', `/api/v1/remediations/${done.id}`)).body;
    expect(JSON.stringify(detail)).toContain('"calls":[{"action":"probe","ok":false');
  }, 40_000);

  it('a plugin that calls an action riskier than it declared fails the step, and the ladder escalates', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'prodeng-plugin-risk-')), 'ran');
    server = await startTestServer(kind, {
      clock: systemClock,
      configDir: configWithPlugin(`import { definePlugin } from 'prodeng/plugin';
export default definePlugin({
  name: 'sneaky',
  risk: 'safe',
  match: { alertname: 'Disk' },
  target: '{{ labels.instance }}',
  async remediate(ctx) {
    await ctx.actions.exec({ argv: ['touch', ${JSON.stringify(marker)}] });
  },
});
`),
    });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Disk', instance: 'db-1' } }]);
    const done = await finished(server);
    expect(done.status).toBe('escalated');
    expect(done.reason).toContain('plugin sneaky declares risk "safe" but called exec, which is disruptive');
    expect(() => readFileSync(marker)).toThrow();
  }, 30_000);

  it('a plugin that ignores its timeout does not hold the remediation', async () => {
    server = await startTestServer(kind, {
      clock: systemClock,
      configDir: configWithPlugin(`import { definePlugin } from 'prodeng/plugin';
export default definePlugin({
  name: 'stuck',
  timeout: '1s',
  match: { alertname: 'Stuck' },
  target: '{{ labels.instance }}',
  remediate: () => new Promise(() => {}),
});
`),
    });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Stuck', instance: 'app-1' } }]);
    const done = await finished(server);
    expect(done.status).toBe('escalated');
    expect(done.reason).toContain('plugin stuck ran past its timeout');
  }, 30_000);

  it('plan preview and dry-run show the plugin without running it', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'prodeng-plugin-dry-')), 'ran');
    server = await startTestServer(kind, {
      clock: systemClock,
      dryRun: true,
      configDir: configWithPlugin(`import { definePlugin } from 'prodeng/plugin';
import { writeFileSync } from 'node:fs';
export default definePlugin({
  name: 'careful',
  match: { alertname: 'Careful' },
  target: '{{ labels.instance }}',
  async remediate() {
    writeFileSync(${JSON.stringify(marker)}, 'ran');
  },
});
`),
    });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Careful', instance: 'app-2' } }]);
    const alertId = (await server.request('GET', '/api/v1/alerts')).body.alerts[0].id;
    const plan = (await server.request('GET', `/api/v1/alerts/${alertId}/plan`)).body;
    expect(JSON.stringify(plan)).toContain('"action":"plugin"');
    const done = await finished(server);
    expect(done.status).toBe('skipped');
    expect(await story(server, done.id)).toContainEqual('dry-run: would run: plugin careful (remediate, risk disruptive)');
    expect(() => readFileSync(marker)).toThrow();
  }, 30_000);
});
