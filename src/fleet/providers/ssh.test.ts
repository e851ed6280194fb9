import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../test/support/peers.js';
import { haveSshd, startLoopbackSshd, type LoopbackSshd } from '../../../test/support/sshd.js';
import { ProviderError } from './provider.js';
import { SshProvider } from './ssh.js';

if (!haveSshd) console.warn('SSH provider test skipped: install the Debian package "openssh-server" (.ci/run does)');

const answers = async (address: string) => (await fetch(`http://${address}/`, { signal: AbortSignal.timeout(500) }).catch(() => null))?.ok === true;
const signal = new AbortController().signal;

describe.skipIf(!haveSshd)('the ssh provider, against a real sshd on loopback', () => {
  let sshd: LoopbackSshd;
  let provider: SshProvider;
  let machines: Array<{ ssh: string; address: string }>;
  beforeAll(async () => {
    sshd = await startLoopbackSshd();
    const work = mkdtempSync(join(tmpdir(), 'prodeng-ssh-machines-'));
    // The "machine's" service: started, stopped and restarted by the pool's commands over SSH.
    writeFileSync(join(work, 'service.mjs'), "import http from 'node:http'; http.createServer((q, s) => s.end('ok')).listen(Number(process.argv[2]), '127.0.0.1');");
    machines = [
      { ssh: `127.0.0.1:${sshd.port}`, address: `127.0.0.1:${await freePort()}` },
      { ssh: `127.0.0.1:${sshd.port}`, address: `127.0.0.1:${await freePort()}` },
    ];
    const start = ['sh', '-c', 'nohup "$0" "$1" "$2" >/dev/null 2>&1 & echo $! > "$3/$2.pid"', process.execPath, join(work, 'service.mjs'), '{{ port }}', work];
    const stop = ['sh', '-c', 'kill "$(cat "$1/$0.pid")"', '{{ port }}', work];
    provider = new SshProvider({
      machines,
      user: userInfo().username,
      keyFile: sshd.keyFile,
      knownHostsFile: sshd.knownHostsFile,
      start,
      stop,
      reboot: ['sh', '-c', 'kill "$(cat "$1/$0.pid")"; sleep 0.2; nohup "$2" "$3" "$0" >/dev/null 2>&1 & echo $! > "$1/$0.pid"', '{{ port }}', work, process.execPath, join(work, 'service.mjs')],
      timeout: 10_000,
    });
  });
  afterAll(async () => {
    for (const m of machines ?? []) await provider?.decommission({ name: 'x', pool: 'api', address: m.address, ref: m.address }, signal).catch(() => undefined);
    sshd?.stop();
  });

  it('provisions on free machines, reboots and decommissions over SSH, and says when no machine is left', async () => {
    const first = await provider.provision({ pool: 'api', host: 'api-1', service: 'api', cluster: null, labels: {}, inUse: [] }, signal);
    expect(first).toEqual({ address: machines[0]!.address, ref: machines[0]!.address });
    await waitFor('the first machine to answer', () => answers(first.address), 10_000);
    const second = await provider.provision({ pool: 'api', host: 'api-2', service: 'api', cluster: null, labels: {}, inUse: [first.ref!] }, signal);
    expect(second.address).toBe(machines[1]!.address);
    await expect(provider.provision({ pool: 'api', host: 'api-3', service: 'api', cluster: null, labels: {}, inUse: [first.ref!, second.ref!] }, signal)).rejects.toThrow(
      'every machine of pool api is in use (2 listed); add machines to provision more',
    );
    const host = { name: 'api-1', pool: 'api', address: first.address, ref: first.ref };
    expect(await provider.reboot(host, signal)).toMatch(/exited with 0$/);
    await waitFor('the rebooted machine to answer', () => answers(first.address), 10_000);
    await provider.decommission(host, signal);
    await waitFor('the decommissioned machine to stop answering', async () => !(await answers(first.address)), 10_000);
  }, 40_000);

  it('turns a refused host key into a ProviderError, not a silent failure', async () => {
    const wrong = new SshProvider({ machines, user: userInfo().username, keyFile: sshd.keyFile, knownHostsFile: sshd.wrongKnownHostsFile, start: ['true'], stop: ['true'], reboot: ['true'], timeout: 5000 });
    const err = await wrong.provision({ pool: 'api', host: 'api-9', service: 'api', cluster: null, labels: {}, inUse: [] }, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toContain('host key is not in');
  });
});
