import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './peers.js';

const SSHD = '/usr/sbin/sshd';
export const haveSshd = existsSync(SSHD);

export interface LoopbackSshd {
  port: number;
  dir: string;
  /** the client's private key, authorized for the current user */
  keyFile: string;
  knownHostsFile: string;
  /** a known_hosts listing another key for the same host:port */
  wrongKnownHostsFile: string;
  stop(): void;
}

/** A real sshd on a free loopback port with throwaway keys, for the current user. */
export async function startLoopbackSshd(): Promise<LoopbackSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-sshd-'));
  const port = await freePort();
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  };
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
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
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
  return {
    port,
    dir,
    keyFile: join(dir, 'client_key'),
    knownHostsFile: join(dir, 'known_hosts'),
    wrongKnownHostsFile: join(dir, 'wrong_known_hosts'),
    stop: () => void sshd.kill('SIGTERM'),
  };
}
