import { Command, Option } from 'commander';
import { parseDuration } from '../config/duration.js';
import { startServer, StartupError } from '../server.js';
import { parseGlobalRateLimit } from '../remediation/gates.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the prodeng server')
    .addOption(new Option('--config <dir>', 'directory of YAML config').env('PRODENG_CONFIG'))
    .addOption(new Option('--data <dir>', 'data directory (SQLite store)').env('PRODENG_DATA').default('.prodeng-data'))
    .addOption(new Option('--port <n>', 'port to listen on').env('PORT').default('8080'))
    .addOption(new Option('--host <host>', 'address to listen on (beyond loopback needs PRODENG_API_TOKENS)').env('PRODENG_HOST').default('127.0.0.1'))
    .addOption(new Option('--resolve-timeout <duration>', 'resolve alerts sent without endsAt after this long').env('PRODENG_RESOLVE_TIMEOUT').default('5m'))
    .addOption(new Option('--dry-run', 'remediations record what they would do and act on nothing').env('PRODENG_DRY_RUN'))
    .addOption(new Option('--global-rate-limit <count/duration>', 'at most this many remediations started per window across all runbooks, e.g. 100/1m').env('PRODENG_GLOBAL_RATE_LIMIT'))
    .addOption(new Option('--remediation-lease <duration>', 'how long a worker holds a remediation before another may take it over').env('PRODENG_REMEDIATION_LEASE').default('10m'))
    .addOption(new Option('--remediation-concurrency <n>', 'remediations this process runs side by side').env('PRODENG_REMEDIATION_CONCURRENCY').default('16'))
    .action(async (flags: { config?: string; data: string; port: string; host: string; resolveTimeout: string; dryRun?: boolean; remediationLease: string; globalRateLimit?: string; remediationConcurrency: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError('unsafe_listen', `--port: "${flags.port}" is not a port number`);
      const concurrency = Number(flags.remediationConcurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new StartupError('config_invalid', `--remediation-concurrency: "${flags.remediationConcurrency}" is not a whole number of at least 1`);
      const apiTokens = (process.env.PRODENG_API_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      const server = await startServer({
        configDir: flags.config,
        dataDir: flags.data,
        databaseUrl: process.env.DATABASE_URL || undefined,
        port,
        host: flags.host,
        apiTokens,
        resolveTimeoutMs: parseDuration(flags.resolveTimeout),
        dryRun: flags.dryRun === true || String(flags.dryRun) === '1' || String(flags.dryRun) === 'true',
        remediationLeaseMs: parseDuration(flags.remediationLease),
        remediationConcurrency: concurrency,
        globalRateLimit: flags.globalRateLimit ? parseGlobalRateLimit(flags.globalRateLimit, parseDuration) : undefined,
      });
      const where = server.store.dialect === 'sqlite' ? `SQLite at ${server.store.location}` : `PostgreSQL at ${server.store.location}`;
      process.stdout.write(`prodeng is running at ${server.url}  (store: ${where}; ${server.config.services.size} services from ${flags.config ?? 'no config'})\n`);
      process.stdout.write(`  try: curl ${server.url}/api/v1/alerts   or   npx prodeng alerts list\n`);
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
