import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer.js';
import { systemClock } from '../src/store/clock.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

async function prodeng(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('prodeng CLI', () => {
  it('prints help listing its commands', async () => {
    const { code, stdout } = await prodeng(['--help']);
    expect(code).toBe(0);
    for (const cmd of ['serve', 'check-config', 'alerts', 'silence']) expect(stdout).toContain(cmd);
  });

  it('check-config: 0 with a summary for the examples, 1 with every error for a bad directory', async () => {
    const ok = await prodeng(['check-config', join(root, 'examples')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK \(.*services/);
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-bad-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: payments }\nspec: {}\n---\napiVersion: prodeng/v1\nkind: Service\nmetadata: { name: checkout }\nspec:\n  owner: paymnts\n  tier: gold\n',
    );
    const bad = await prodeng(['check-config', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yaml')}:10:10: spec.owner: team "paymnts" does not exist (did you mean "payments"?)`);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yaml')}:11:3: spec.tier: unknown field "tier"`);
    expect(bad.stderr).toContain('2 errors');
  });

  it('serve refuses a non-loopback host without tokens, with a message saying what to do', async () => {
    const res = await prodeng(['serve', '--host', '0.0.0.0', '--port', '0', '--data', mkdtempSync(join(tmpdir(), 'prodeng-d-'))], { PRODENG_API_TOKENS: '' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('PRODENG_API_TOKENS');
  });

  it('says clearly when the server cannot be reached', async () => {
    const res = await prodeng(['alerts', 'list', '--url', 'http://127.0.0.1:9']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach prodeng at http:\/\/127\.0\.0\.1:9/);
  });

  describe('against a running server', () => {
    let server: TestServer;
    const token = 'cli-token';
    beforeAll(async () => {
      server = await startTestServer('sqlite', { clock: systemClock, apiTokens: [token] });
      await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'WebDown', instance: 'web-1', service: 'frontend' }, annotations: { summary: 'web-1 is down' } }], {
        authorization: `Bearer ${token}`,
      });
    });
    afterAll(async () => server.stop());

    it('lists alerts, with the URL and token from the environment', async () => {
      const res = await prodeng(['alerts', 'list'], { PRODENG_URL: server.url, PRODENG_TOKEN: token });
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/STATUS.*SERVICE/);
      expect(res.stdout).toMatch(/firing\s+warning\s+frontend\s+prometheus/);
      expect(res.stdout).toContain('web-1 is down');
      const denied = await prodeng(['alerts', 'list', '--url', server.url]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('Authorization: Bearer');
    });

    it('adds, lists and expires a silence', async () => {
      const flags = ['--url', server.url, '--token', token];
      const added = await prodeng(['silence', 'add', 'alertname=WebDown', 'instance=~"web-.*"', '--duration', '2h', '--comment', 'deploy', '--author', 'alice', ...flags]);
      expect(added.code, added.stderr).toBe(0);
      const id = added.stdout.trim();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const listed = await prodeng(['silence', 'list', ...flags]);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toContain('alertname="WebDown",instance=~"web-.*"');
      const alerts = await prodeng(['alerts', 'list', ...flags]);
      expect(alerts.stdout).toContain('firing (silenced)');
      const expired = await prodeng(['silence', 'expire', id, ...flags]);
      expect(expired.stdout).toContain(`${id} expired`);
      const bad = await prodeng(['silence', 'add', 'instance=~"(["', '--comment', 'x', ...flags]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('matchers[0]');
    });
  });
});

describe('prodeng runbooks explain', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      clock: systemClock,
      configYaml: `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-web }
spec:
  match: { alertname: WebDown }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-canary }
spec:
  match: { alertname: WebDown, instance: "=~canary-.*" }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
`,
    });
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'WebDown', instance: 'web-1' } }]);
  });
  afterAll(async () => server.stop());

  it('says which runbook applies to an alert and why the other does not', async () => {
    const id = (await server.request('GET', '/api/v1/alerts')).body.alerts[0].id;
    const res = await prodeng(['runbooks', 'explain', String(id), '--url', server.url]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`alert ${id}: runbook restart-web applies`);
    expect(res.stdout).toContain('* restart-web: chosen: all 1 matchers hold');
    expect(res.stdout).toContain('- restart-canary: instance=~"canary-.*" does not hold: instance is "web-1"');
    const missing = await prodeng(['runbooks', 'explain', '999999', '--url', server.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no alert with id 999999');
  });

  it('previews the plan for an alert without acting', async () => {
    const id = (await server.request('GET', '/api/v1/alerts')).body.alerts[0].id;
    const res = await prodeng(['remediation', 'plan', String(id), '--url', server.url]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`alert ${id}: runbook restart-web on web-1`);
    expect(res.stdout).toContain('step exec-1 [disruptive]: exec {"argv":["true"],"timeout":30000}');
    expect(res.stdout).toContain('no gates configured');
  });

  it('lists and shows remediations, and pauses and resumes automation', async () => {
    const list = await prodeng(['remediation', 'list', '--url', server.url]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/pending\s+restart-web\s+web-1/);
    const id = /^(\d+)\s+pending/m.exec(list.stdout)![1]!;
    const show = await prodeng(['remediation', 'show', id, '--url', server.url]);
    expect(show.stdout).toContain(`remediation ${id}: restart-web on web-1: pending`);
    expect(show.stdout).toMatch(/matched\s+runbook restart-web matched alert/);
    const paused = await prodeng(['remediation', 'pause', '--reason', 'game day', '--by', 'bob', '--url', server.url]);
    expect(paused.stdout).toBe('automation paused by bob: game day\n');
    const resumed = await prodeng(['remediation', 'resume', '--reason', 'done', '--by', 'bob', '--url', server.url]);
    expect(resumed.stdout).toContain('automation running');
    const noReason = await prodeng(['remediation', 'pause', '--url', server.url]);
    expect(noReason.code).toBe(1);
  });
});
