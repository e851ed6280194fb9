import { Command } from 'commander';
import { formatConfigError } from '../config/index.js';
import { loadConfiguration } from '../loadConfiguration.js';
import { openSloKinds } from '../config/openslo/openSloSchemas.js';
import { openSloKind } from '../config/openslo/translateOpenSlo.js';

export function checkConfigCommand(): Command {
  return new Command('check-config')
    .description('validate a config directory without starting anything')
    .argument('<dir>', 'directory of YAML config (and TypeScript plugins in its plugins/)')
    .action(async (dir: string) => {
      const result = await loadConfiguration(dir);
      for (const w of result.warnings) console.error(`warning: ${formatConfigError(w)}`);
      if (!result.ok) {
        for (const e of result.errors) console.error(formatConfigError(e));
        console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${dir}`);
        process.exitCode = 1;
        return;
      }
      const c = result.config;
      const counts = [
        ['team', c.teams.size],
        ['user', c.users.size],
        ['service', c.services.size],
        ['host', c.hosts.size],
        ['heartbeat', c.heartbeats.size],
        ['runbook', c.byKind('Runbook').size],
        ['host pool', c.byKind('HostPool').size],
        ['probe', c.byKind('Probe').size],
        ['SLO', c.byKind('SLO').size],
        ['OpenSLO object', openSloKinds.reduce((n, kind) => n + c.byKind(openSloKind(kind)).size, 0)],
        ['plugin', result.plugins.byName.size],
      ]
        .filter(([, n]) => (n as number) > 0)
        .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`);
      console.log(`${dir}: OK (${counts.join(', ') || 'empty'})`);
    });
}
