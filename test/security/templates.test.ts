import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigError } from '../../src/config/index.js';
import { loadConfiguration } from '../../src/loadConfiguration.js';
import { systemClock } from '../../src/store/clock.js';
import { waitFor } from '../support/peers.js';
import { describeEachStore } from '../support/testDatabases.js';
import { startTestServer, writeConfigDir, type TestServer } from '../support/testServer.js';

// Issue 12, templates and what alert data can reach: each finding replayed
// against a running server. An alert's sender controls its labels; a label
// must not choose where prodeng sends a request, reshape its path, see
// prodeng's secrets through a probe, or read what every object inherits.

/** A real HTTP peer on loopback that records what reached it. */
interface Receiver {
  port: number;
  seen: Array<{ method: string; host: string; path: string }>;
  close(): Promise<void>;
}

async function receiver(status: number): Promise<Receiver> {
  const seen: Receiver['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, host: req.headers.host ?? '', path: req.url ?? '' });
    res.statusCode = status;
    res.end('answered');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const scratch = () => mkdtempSync(join(tmpdir(), 'prodeng-templates-'));
const finished = ['succeeded', 'failed', 'escalated', 'skipped'];

describeEachStore('security: alert data in templates', (kind) => {
  let server: TestServer | undefined;
  const peers: Receiver[] = [];
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const p of peers.splice(0)) await p.close();
  });

  const start = async (configYaml: string) => {
    server = await startTestServer(kind, { clock: systemClock, configYaml });
    return server;
  };

  /** Sends one firing alert and waits for its remediation to finish; returns it with its timeline. */
  async function remediate(labels: Record<string, string>) {
    const s = server!;
    const before = (await s.request('GET', '/api/v1/remediations')).body.remediations.length;
    const sent = await s.request('POST', '/api/v2/alerts', [{ labels, annotations: { summary: 'broken' } }]);
    expect(sent.status).toBe(200);
    const done = await waitFor(
      `the remediation for ${JSON.stringify(labels)} to finish`,
      async () => {
        await s.remediation.runOnce();
        const all = (await s.request('GET', '/api/v1/remediations')).body.remediations;
        const mine = all.length > before ? all.find((r: { target: string }) => r.target === (labels.node ?? labels.instance)) ?? all[0] : undefined;
        return mine && finished.includes(mine.status) ? mine : undefined;
      },
      20_000,
    );
    const detail = (await s.request('GET', `/api/v1/remediations/${done.id}`)).body;
    return { ...done, story: detail.timeline.map((t: { kind: string; message: string }) => `${t.kind}: ${t.message}`) as string[] };
  }

  it('an http step keeps a label inside its path segment and its query value: ../, ? & # cannot reshape the request', async () => {
    const lb = await receiver(202);
    peers.push(lb);
    await start(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: drain-at-lb }
spec:
  match: { alertname: NodeDown }
  target: "{{ labels.node }}"
  steps:
    - name: drain
      action: http
      with: { url: "http://127.0.0.1:${lb.port}/pools/web/members/{{ labels.node }}/drain?reason={{ labels.reason }}", retries: 0 }
`);
    const hostile = await remediate({ alertname: 'NodeDown', node: '../../admin/wipe', reason: 'disk&all=1#x' });
    expect(hostile.status).toBe('succeeded');
    expect(lb.seen).toEqual([{ method: 'POST', host: `127.0.0.1:${lb.port}`, path: '/pools/web/members/..%2F..%2Fadmin%2Fwipe/drain?reason=disk%26all%3D1%23x' }]);

    // ".." alone would be a segment that climbs: nothing is sent, and the remediation says why
    const climbing = await remediate({ alertname: 'NodeDown', node: '..', reason: 'disk' });
    expect(climbing.status).toBe('escalated');
    expect(climbing.reason).toMatch(/labels\.node makes a path segment .* "\." or "\.\.", which would climb out of the path the runbook wrote; refusing/);
    expect(lb.seen).toHaveLength(1);
  });

  it('a confirm probe whose host comes from a label reaches only allowedHosts; outside them nothing is sent and a human is called', async () => {
    const web = await receiver(503);
    const elsewhere = await receiver(200);
    peers.push(web, elsewhere);
    const marker = join(scratch(), 'restarted');
    await start(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-web }
spec:
  match: { alertname: WebDown }
  target: "{{ labels.instance }}"
  confirm: { http: { url: "http://{{ labels.instance }}/healthz", allowedHosts: ["127.0.0.1:${web.port}"] } }
  steps:
    - name: restart
      action: exec
      with: { argv: ["/bin/sh", "-c", "echo \\"$1\\" >> \\"$0\\"", "${marker}", "{{ labels.instance }}"] }
`);
    const outside = await remediate({ alertname: 'WebDown', instance: `127.0.0.1:${elsewhere.port}` });
    expect(outside.status).toBe('escalated');
    expect(outside.reason).toBe(
      `the failure is not confirmed: GET http://127.0.0.1:${elsewhere.port}/healthz: refused: host 127.0.0.1:${elsewhere.port} of http://127.0.0.1:${elsewhere.port}/healthz is not in allowedHosts (127.0.0.1:${web.port}); nothing was sent`,
    );
    // a label that smuggles a path or userinfo into the host is refused before anything runs
    const smuggled = await remediate({ alertname: 'WebDown', instance: `127.0.0.1:${web.port}@127.0.0.1:${elsewhere.port}/x#` });
    expect(smuggled.status).toBe('escalated');
    expect(smuggled.reason).toMatch(/labels\.instance is .* in the host of .*: a value there may hold only letters, digits/);
    expect(elsewhere.seen).toEqual([]);
    expect(existsSync(marker)).toBe(false);

    const inside = await remediate({ alertname: 'WebDown', instance: `127.0.0.1:${web.port}` });
    expect(inside.status).toBe('succeeded');
    expect(web.seen).toEqual([{ method: 'GET', host: `127.0.0.1:${web.port}`, path: '/healthz' }]);
    expect(readFileSync(marker, 'utf8')).toBe(`127.0.0.1:${web.port}\n`);
    expect(elsewhere.seen).toEqual([]);
  });

  it('confirm and verify exec probes, and Probe exec checks, see PATH and the variables they name, not prodeng secrets', async () => {
    process.env.PRODENG_TEST_SMTP_PASSWORD = 'smtp-secret-do-not-leak';
    process.env.PRODENG_TEST_PROBE_REGION = 'eu-1';
    const dir = scratch();
    const dump = (file: string, exit: number) => `["/bin/sh", "-c", "/usr/bin/env > \\"$0\\"; exit ${exit}", "${join(dir, file)}"]`;
    await start(`apiVersion: prodeng/v1
kind: Host
metadata: { name: db-1 }
spec: { address: "127.0.0.1:9", labels: { role: db } }
---
apiVersion: prodeng/v1
kind: Probe
metadata: { name: db-env }
spec:
  hosts: { labels: { role: db } }
  exec: { argv: ${dump('probe-kind.env', 0)}, env: [PRODENG_TEST_PROBE_REGION] }
  interval: 500ms
  timeout: 400ms
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: with-exec-probes }
spec:
  match: { alertname: DiskFull }
  target: "{{ labels.instance }}"
  confirm: { exec: { argv: ${dump('confirm.env', 1)}, env: [PRODENG_TEST_PROBE_REGION] } }
  steps: [{ name: noop, action: exec, with: { argv: ["true"] } }]
  verify: { probe: { exec: { argv: ${dump('verify.env', 0)} } }, within: 10s }
`);
    const done = await remediate({ alertname: 'DiskFull', instance: 'db-1' });
    expect(done.status).toBe('succeeded');
    const probeKindEnv = join(dir, 'probe-kind.env');
    await waitFor(
      'the Probe to run its exec check',
      async () => {
        await server!.maintenance.runOnce(); // takes the leader lease the probe scheduler runs under
        await server!.probes.runOnce();
        return existsSync(probeKindEnv);
      },
      10_000,
    );
    for (const file of ['confirm.env', 'verify.env', 'probe-kind.env']) {
      const env = readFileSync(join(dir, file), 'utf8');
      expect(env, file).toMatch(/^PATH=/m);
      expect(env, file).not.toContain('smtp-secret-do-not-leak');
      expect(env, file).not.toMatch(/^DATABASE_URL=/m);
      expect(env, file).not.toMatch(/^TEST_DATABASE_URL=/m);
    }
    expect(readFileSync(join(dir, 'confirm.env'), 'utf8')).toContain('PRODENG_TEST_PROBE_REGION=eu-1');
    expect(readFileSync(join(dir, 'probe-kind.env'), 'utf8')).toContain('PRODENG_TEST_PROBE_REGION=eu-1');
    expect(readFileSync(join(dir, 'verify.env'), 'utf8')).not.toContain('PRODENG_TEST_PROBE_REGION');
  });

  it('{{ labels.constructor }} is a label called constructor or nothing, never what every object inherits', async () => {
    const out = join(scratch(), 'argument');
    await start(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: echo-owner }
spec:
  match: { alertname: OwnerCheck }
  target: "{{ labels.instance }}"
  steps:
    - name: record
      action: exec
      with: { argv: ["/bin/sh", "-c", "printf %s \\"$1\\" > \\"$0\\"", "${out}", "{{ labels.constructor }}"] }
`);
    const done = await remediate({ alertname: 'OwnerCheck', instance: 'web-1' });
    expect(done.status).toBe('escalated');
    expect(done.reason).toMatch(/^step parameters rendered empty \(labels\.constructor\); refusing to run half-filled commands; handed to a human \(incident \d+\)$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('security: check-config refuses a template that would choose a host, naming file and line', () => {
  const runbook = (name: string, body: string) => `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  match: { alertname: ${name} }
  target: "{{ labels.instance }}"
${body}`;

  it('in an http step, a confirm or verify probe, a tcp check and an ssh step', async () => {
    const dir = writeConfigDir(
      [
        runbook(
          'confirm-host',
          `  confirm: { http: { url: "http://{{ labels.instance }}/healthz" } }
  steps: [{ action: exec, with: { argv: ["true"] } }]
`,
        ),
        runbook(
          'step-host',
          `  steps:
    - action: http
      with:
        url: "http://{{ labels.instance }}:8080/drain"
`,
        ),
        runbook(
          'verify-scheme',
          `  steps: [{ action: exec, with: { argv: ["true"] } }]
  verify: { probe: { http: { url: "{{ annotations.runbook_url }}", allowedHosts: ["*.internal"] } } }
`,
        ),
        runbook(
          'tcp-host',
          `  confirm: { tcp: { address: "{{ labels.instance }}" } }
  steps: [{ action: exec, with: { argv: ["true"] } }]
`,
        ),
        runbook(
          'ssh-host',
          `  steps:
    - action: ssh
      with: { host: "{{ labels.instance }}", user: deploy, keyFile: /etc/prodeng/id_ed25519, argv: ["true"] }
`,
        ),
      ].join('---\n'),
    );
    const loaded = await loadConfiguration(dir);
    const errors = loaded.errors.map(formatConfigError).map((e) => e.replace(join(dir, 'config.yaml'), 'config.yaml'));
    expect(errors).toEqual([
      expect.stringMatching(/^config\.yaml:7:\d+: spec\.confirm\.http\.url: \{\{ labels\.instance \}\} would choose the host of "http:\/\/\{\{ labels\.instance \}\}\/healthz", so whoever sends the alert would choose where prodeng sends requests: write the host in the URL, or list the hosts it may reach beside it, e.g\. allowedHosts: \["web-\*\.shop\.internal:8080"\]$/),
      expect.stringMatching(/^config\.yaml:19:\d+: spec\.steps\[0\]\.with\.url: \{\{ labels\.instance \}\} would choose the host of "http:\/\/\{\{ labels\.instance \}\}:8080\/drain"/),
      expect.stringMatching(/^config\.yaml:28:\d+: spec\.verify\.probe\.http\.url: must start with http:\/\/ or https:\/\/ and a host written in the runbook: a template may not choose the scheme$/),
      expect.stringMatching(/^config\.yaml:36:\d+: spec\.confirm\.tcp\.address: the address "\{\{ labels\.instance \}\}" comes from a template.*allowedHosts/),
      expect.stringMatching(/^config\.yaml:\d+:\d+: spec\.steps\[0\]\.with(\.host)?: the host "\{\{ labels\.instance \}\}" comes from a template.*allowedHosts/),
    ]);
  });

  it('and accepts the same runbooks with allowedHosts beside the templated host', async () => {
    const dir = writeConfigDir(
      runbook(
        'confirm-host',
        `  confirm: { http: { url: "http://{{ labels.instance }}/healthz", allowedHosts: ["web-*.shop.internal:8080"] } }
  steps:
    - action: ssh
      with: { host: "{{ labels.host }}", allowedHosts: ["web-*.shop.internal"], user: deploy, keyFile: /etc/prodeng/id_ed25519, argv: ["true"] }
`,
      ),
    );
    const loaded = await loadConfiguration(dir);
    expect(loaded.errors.map(formatConfigError)).toEqual([]);
  });
});
