import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import pino from 'pino';
import { startLab } from '../lab/labRunner.js';
import { StartupError } from '../server.js';
import { LAB_SCENARIOS } from '../api/labRoutes.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';

export function labCommand(): Command {
  const cmd = new Command('lab')
    .description('the training lab: a demo shop of real processes that prodeng runs, watches and heals; break it and watch')
    .addOption(new Option('--port <n>', 'port for prodeng').env('PORT').default('8080'))
    .addOption(new Option('--data <dir>', 'data directory (SQLite store, host data)').env('PRODENG_DATA').default('.prodeng-data'))
    .addOption(new Option('--rate <n>', 'shop requests per second from the load generator').default('5'))
    .action(async (flags: { port: string; data: string; rate: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError('unsafe_listen', `--port: "${flags.port}" is not a port number`);
      const rate = Number(flags.rate);
      if (!(rate > 0)) throw new StartupError('config_invalid', `--rate: "${flags.rate}" is not a number above 0`);
      const logger = pino({ level: process.env.PRODENG_LOG_LEVEL ?? 'warn' });
      // With tokens the lab's own hosts need one to read discovery: a read-only token made for this run,
      // handed to them by name (the pools' passEnv), unless the operator set PRODENG_API_TOKEN.
      const apiTokens = (process.env.PRODENG_API_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      const extraCredentials = [];
      if (apiTokens.length > 0 && !process.env.PRODENG_API_TOKEN) {
        const secret = randomBytes(24).toString('base64url');
        extraCredentials.push({ name: 'lab-hosts', role: 'read-only' as const, user: null, secret });
        process.env.PRODENG_API_TOKEN = secret;
      }
      const lab = await startLab({ dataDir: flags.data, databaseUrl: process.env.DATABASE_URL || undefined, port, host: '127.0.0.1', ratePerSecond: rate, logger, apiTokens, extraCredentials });
      const url = lab.server.url;
      process.stdout.write(`prodeng lab is running at ${url} (store: ${lab.server.store.dialect}, data in ${flags.data})
  The demo shop's hosts are starting (9 services, 2 hosts each). In another terminal:
    npx prodeng hosts list                              the fleet
    npx prodeng lab break crash --service cart          kill a cart host, and watch it replaced:
    npx prodeng remediation list                        what automation did, and why
    npx prodeng hosts show cart-1                       a host's history
    npx prodeng slo list                                what the shop's users saw, as error budgets
  Other faults: ${LAB_SCENARIOS.join(', ')} (lab heal --service S clears them).
`);
      let last = '';
      const reporter = setInterval(() => {
        lab
          .status()
          .then((line) => {
            if (line.replace(/traffic \d+ ok, \d+ failed/, '') !== last.replace(/traffic \d+ ok, \d+ failed/, '')) process.stdout.write(`${line}\n`);
            last = line;
          })
          .catch(() => undefined);
      }, 2000);
      let closing = false;
      const shutdown = () => {
        if (closing) return;
        closing = true;
        clearInterval(reporter);
        lab.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });

  withServerOptions(
    cmd
      .command('break <scenario>')
      .description(`a real fault in a real shop process: ${LAB_SCENARIOS.join(', ')}`)
      .requiredOption('--service <name>', 'the shop service, e.g. cart')
      .option('--host <name>', 'one host of it (default: the first in service)')
      .option('--ms <n>', 'slow: added latency in milliseconds', Number)
      .option('--path <path>', 'slow: only requests to this path')
      .option('--share <n>', 'errors: share of requests answered 500 (0-1)', Number)
      .option('--mb-per-second <n>', 'leak: how fast memory grows', Number),
  ).action(async (scenario: string, flags: ServerFlags & { service: string; host?: string; ms?: number; path?: string; share?: number; mbPerSecond?: number }) => {
    const body = { scenario, service: flags.service, host: flags.host, ms: flags.ms, path: flags.path, share: flags.share, mbPerSecond: flags.mbPerSecond };
    const r = await apiClient(flags).post<{ host: string; effect: unknown }>('/api/v1/lab/break', JSON.parse(JSON.stringify(body)));
    console.log(`${scenario} on ${r.host}: ${typeof r.effect === 'string' ? r.effect : JSON.stringify(r.effect)}`);
  });

  withServerOptions(cmd.command('heal').description('clear the faults of a shop service (all its hosts, or one)').requiredOption('--service <name>').option('--host <name>')).action(
    async (flags: ServerFlags & { service: string; host?: string }) => {
      const r = await apiClient(flags).post<{ healed: string[] }>('/api/v1/lab/heal', JSON.parse(JSON.stringify({ service: flags.service, host: flags.host })));
      console.log(r.healed.length ? `faults cleared on ${r.healed.join(', ')}` : 'nothing to clear');
    },
  );
  return cmd;
}
