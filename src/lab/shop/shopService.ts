/**
 * Runs one service of the demo shop as its own process, e.g.
 *
 *   node dist/src/lab/shop/shopService.js --service cart --port 41234 --data /tmp/shop/cart-1
 *
 * Prints one JSON line on stdout once it listens ({"event":"listening","url":...}), logs to
 * stderr, exits 0 on SIGTERM/SIGINT, 2 on a bad command line, 1 when it cannot start.
 * See shopArgs.ts for the flags, faults.ts for the /_lab/ admin API.
 */
import { parseShopArgs, shopUsage, UsageError, type ShopServiceOptions } from './shopArgs.js';
import { startShopServer } from './shopServer.js';

let options: ShopServiceOptions;
try {
  options = parseShopArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`shopService: ${err.message}\n${shopUsage}\n`);
  process.exit(2);
}

const log = (message: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${options.service} ${options.hostName}: ${message}\n`);
};

try {
  const server = await startShopServer(options, log);
  const stop = (signal: string): void => {
    log(`${signal}: stopping`);
    void server.close().then(() => process.exit(0));
  };
  // Before the listening line: whoever reads it may send SIGTERM at once.
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`${JSON.stringify({ event: 'listening', service: options.service, host: options.hostName, url: server.url, port: server.port, pid: process.pid })}\n`);
  log(`listening on ${server.url}`);
} catch (err) {
  log(`cannot start: ${(err as Error).message}`);
  process.exit(1);
}
