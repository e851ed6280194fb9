import { sshAction } from '../../actions/ssh.js';
import type { ProvidedHost, Provider, Provisioned, ProvisionRequest } from './provider.js';
import { ProviderError } from './provider.js';

interface SshProviderSpec {
  machines: Array<{ ssh: string; address: string }>;
  user: string;
  keyFile?: string | undefined;
  keyEnv?: string | undefined;
  knownHostsFile: string;
  start: string[];
  stop: string[];
  reboot: string[];
  repair?: string[] | undefined;
  timeout: number;
}

/**
 * Machines that already exist. Provisioning takes a machine no host of the
 * pool uses and runs `start` on it; decommissioning runs `stop` and gives
 * the machine back. Commands run through the ssh action: key auth, known
 * hosts checked, each argument quoted for the remote shell.
 */
export class SshProvider implements Provider {
  readonly type = 'ssh';

  constructor(private spec: SshProviderSpec) {}

  private async run(sshTarget: string, argv: string[], signal: AbortSignal): Promise<string> {
    const [host, port] = sshTarget.includes(':') ? [sshTarget.slice(0, sshTarget.lastIndexOf(':')), Number(sshTarget.slice(sshTarget.lastIndexOf(':') + 1))] : [sshTarget, 22];
    const params = sshAction.params.parse({
      host,
      port,
      user: this.spec.user,
      ...(this.spec.keyFile ? { keyFile: this.spec.keyFile } : { keyEnv: this.spec.keyEnv }),
      knownHostsFile: this.spec.knownHostsFile,
      argv,
      timeout: this.spec.timeout,
    });
    const result = await sshAction.run(params, { signal, log: () => undefined });
    if (!result.ok) {
      const stderr = String(result.output.stderr ?? '').trim();
      throw new ProviderError(`${result.summary}${stderr ? `: ${stderr.slice(0, 300)}` : ''}`);
    }
    return result.summary;
  }

  /** `{{ host }}`, `{{ address }}` and `{{ port }}` (the service's) in a command, each inside one argument. */
  private render(argv: string[], host: string, machine: { address: string }): string[] {
    const port = machine.address.slice(machine.address.lastIndexOf(':') + 1);
    return argv.map((a) => a.replaceAll('{{ host }}', host).replaceAll('{{ address }}', machine.address).replaceAll('{{ port }}', port));
  }

  private machineOf(host: ProvidedHost) {
    // A machine is known by where its service answers: several may share one SSH server.
    const machine = this.spec.machines.find((m) => m.address === host.ref);
    if (!machine) throw new ProviderError(`${host.name} is on machine ${host.ref ?? '(none)'}, which is not in the pool's machine list`);
    return machine;
  }

  async provision(req: ProvisionRequest, signal: AbortSignal): Promise<Provisioned> {
    const machine = this.spec.machines.find((m) => !req.inUse.includes(m.address));
    if (!machine) throw new ProviderError(`every machine of pool ${req.pool} is in use (${this.spec.machines.length} listed); add machines to provision more`);
    await this.run(machine.ssh, this.render(this.spec.start, req.host, machine), signal);
    return { address: machine.address, ref: machine.address };
  }

  async reboot(host: ProvidedHost, signal: AbortSignal) {
    const m = this.machineOf(host);
    return this.run(m.ssh, this.render(this.spec.reboot, host.name, m), signal);
  }

  async repair(host: ProvidedHost, signal: AbortSignal) {
    const m = this.machineOf(host);
    return this.run(m.ssh, this.render(this.spec.repair ?? this.spec.reboot, host.name, m), signal);
  }

  async decommission(host: ProvidedHost, signal: AbortSignal) {
    const m = this.machineOf(host);
    return this.run(m.ssh, this.render(this.spec.stop, host.name, m), signal);
  }
}
