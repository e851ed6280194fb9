import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveSshd, startLoopbackSshd, type LoopbackSshd } from '../../test/support/sshd.js';
import { renderParams } from '../remediation/templates.js';
import { sshAction, sshParams } from './ssh.js';

if (!haveSshd) console.warn('SSH action test skipped: install the Debian package "openssh-server" (.ci/run does)');

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });

describe.skipIf(!haveSshd)('ssh action against a real sshd on loopback', () => {
  let sshd: LoopbackSshd;
  let dir: string;
  let port: number;
  beforeAll(async () => {
    sshd = await startLoopbackSshd();
    ({ dir, port } = sshd);
  });
  afterAll(() => sshd?.stop());

  const params = (extra: Record<string, unknown>) =>
    sshParams.parse({ host: '127.0.0.1', port, user: userInfo().username, keyFile: join(dir, 'client_key'), knownHostsFile: join(dir, 'known_hosts'), timeout: '10s', ...extra });

  it('runs an argv remotely and keeps exit code and output', async () => {
    const r = await sshAction.run(params({ argv: ['sh', '-c', 'echo hello; echo oops >&2; exit 4'] }), ctx());
    expect(r.ok).toBe(false);
    expect(r.output).toMatchObject({ exitCode: 4, stdout: 'hello\n', stderr: 'oops\n' });
    const ok = await sshAction.run(params({ argv: ['true'] }), ctx());
    expect(ok.ok).toBe(true);
  });

  it('keeps a hostile label one inert argument on the remote side too', async () => {
    const pwned = join(dir, 'pwned');
    const hostile = `x; touch ${pwned}; $(touch ${pwned}) \`touch ${pwned}\` ' ; touch ${pwned}`;
    const argv = renderParams(['printf', '%s', '{{ labels.evil }}'], { labels: { evil: hostile }, annotations: {}, alert: {} }) as string[];
    const r = await sshAction.run(params({ argv }), ctx());
    expect(r.ok).toBe(true);
    expect(r.output.stdout).toBe(hostile);
    expect(existsSync(pwned)).toBe(false);
  });

  it('refuses a host whose key is not the one in known_hosts', async () => {
    const r = await sshAction.run(params({ argv: ['true'], knownHostsFile: join(dir, 'wrong_known_hosts') }), ctx());
    expect(r.ok).toBe(false);
    expect(r.summary).toContain('host key is not in');
  });
});

describe('ssh step: a host that comes from a template', () => {
  const base = { user: 'deploy', keyFile: '/etc/prodeng/id_ed25519', argv: ['true'] };

  it('needs allowedHosts beside it when the runbook is loaded', () => {
    const parsed = sshParams.safeParse({ ...base, host: '{{ labels.instance }}' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['host'], message: expect.stringMatching(/comes from a template.*allowedHosts/) });
    expect(sshParams.safeParse({ ...base, host: '{{ labels.instance }}', allowedHosts: ['db-*.internal'] }).success).toBe(true);
  });

  it('takes a host name or address only, once rendered', () => {
    for (const host of ['db-1.internal -oProxyCommand=x', 'user@db-1', 'db-1/x', '-db-1']) {
      expect(sshParams.safeParse({ ...base, host, allowedHosts: ['*.internal'] }).success, host).toBe(false);
    }
  });

  it('connects to nothing outside allowedHosts, judged on the address the connection would use', async () => {
    const refused = await sshAction.run(sshParams.parse({ ...base, host: '2130706433', allowedHosts: ['db-*.internal'] }), ctx());
    expect(refused).toMatchObject({ ok: false, summary: 'ssh 2130706433: refused: host 127.0.0.1:22 is not in allowedHosts (db-*.internal); nothing was sent' });
  });
});
