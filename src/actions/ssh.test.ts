import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../test/support/peers.js';
import { renderParams } from '../remediation/templates.js';
import { sshAction, sshParams } from './ssh.js';
import { connect } from 'node:net';

const SSHD = '/usr/sbin/sshd';
const haveSshd = existsSync(SSHD);
if (!haveSshd) console.warn('SSH action test skipped: install the Debian package "openssh-server" (.ci/run does)');

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });

describe.skipIf(!haveSshd)('ssh action against a real sshd on loopback', () => {
  let sshd: ChildProcess;
  let dir: string;
  let port: number;
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prodeng-sshd-'));
    port = await freePort();
    const hostKey = key('host_key');
    const clientKey = key('client_key');
    const otherHostKey = key('other_host_key');
    writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`);
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
    writeFileSync(join(dir, 'wrong_known_hosts'), `[127.0.0.1]:${port} ${otherHostKey}\n`);
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
      ].join('\n') + '\n',
    );
    mkdirSync('/run/sshd', { recursive: true });
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
    await waitFor(
      'sshd to listen',
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          }).on('error', () => resolve(false));
        }),
      10_000,
    );
  });
  afterAll(() => sshd?.kill('SIGTERM'));

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
