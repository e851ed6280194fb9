import { isAbsolute, join } from 'node:path';
import type { ProviderSpec } from '../hostPoolKind.js';
import { LocalProcessProvider } from './localProcess.js';
import type { Provider } from './provider.js';
import { ScriptProvider } from './script.js';
import { SshProvider } from './ssh.js';

/** The provider a pool declares, with paths resolved against the config directory and the data directory. */
export function providerFor(pool: string, spec: ProviderSpec, dirs: { configDir: string; dataDir: string }, runtimeVars: Record<string, string> = {}): Provider {
  switch (spec.type) {
    case 'local-process':
      return new LocalProcessProvider(spec, join(dirs.dataDir, 'hosts', pool), runtimeVars);
    case 'script':
      return new ScriptProvider({ ...spec, path: isAbsolute(spec.path) ? spec.path : join(dirs.configDir, spec.path) });
    case 'ssh':
      return new SshProvider(spec);
  }
}
