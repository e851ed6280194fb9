/** One shop service as an HTTP server on 127.0.0.1: health, the /_lab/ admin API, faults, routes. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataDir } from './dataDir.js';
import { DependencyClient } from './dependencyClient.js';
import { discoveredEndpoints, staticEndpoints, type EndpointSource } from './discovery.js';
import { FaultInjector, handleAdminRequest } from './faults.js';
import { routesByService } from './handlers/routesByService.js';
import { HttpError, matchRoute, readBody, sendError, sendReply } from './http.js';
import type { ShopServiceOptions } from './shopArgs.js';
import { shopServices, type ShopServiceName } from './services.js';
import { releaseBehaviour } from './releases.js';
import { RequestStats } from './requestStats.js';

export interface RunningShopServer {
  url: string;
  port: number;
  /** Stops taking requests, lets running ones finish (up to 2 s), stops polling. */
  close(): Promise<void>;
}

export async function startShopServer(options: ShopServiceOptions, log: (message: string) => void): Promise<RunningShopServer> {
  const { service, hostName } = options;
  const dataDir = new DataDir(options.dataDir, options.diskQuotaBytes);
  const faults = new FaultInjector(dataDir, log);
  const release = releaseBehaviour(options.version);
  const stats = new RequestStats();

  const sources: EndpointSource[] = [];
  const clients = new Map<ShopServiceName, DependencyClient>();
  for (const { name } of shopServices[service].dependencies) {
    const fixed = options.staticDependencies.get(name);
    const source = fixed
      ? staticEndpoints(fixed)
      : discoveredEndpoints({ baseUrl: options.discoveryUrl!, service: name, from: options.service, token: options.discoveryToken, log });
    sources.push(source);
    clients.set(name, new DependencyClient(name, source));
  }
  const routes = routesByService[service]({
    service,
    hostName,
    dataDir,
    log,
    dependency: (name) => {
      const client = clients.get(name);
      if (!client) throw new Error(`${service} does not depend on ${name}: add it to its dependencies in services.ts`);
      return client;
    },
  });

  const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
  const health = (res: ServerResponse): void => {
    // Memory is part of health: a leak shows here (and fails the probe) long before the machine runs out.
    const rssBytes = process.memoryUsage.rss();
    const memory = { rssBytes, ...(options.maxRssBytes !== undefined ? { maxRssBytes: options.maxRssBytes } : {}) };
    if (dataDir.isFull()) {
      const reason = `disk full: ${dataDir.usageBytes()} of ${dataDir.quotaBytes} bytes used in ${dataDir.path}`;
      return sendReply(res, { status: 507, json: { status: 'disk full', service, host: hostName, reason, memory } });
    }
    if (options.maxRssBytes !== undefined && rssBytes > options.maxRssBytes) {
      const reason = `out of memory: resident ${mb(rssBytes)}, above the limit of ${mb(options.maxRssBytes)} (--max-rss-mb)`;
      return sendReply(res, { status: 503, json: { status: 'out of memory', service, host: hostName, reason, memory } });
    }
    sendReply(res, { json: { status: 'ok', service, host: hostName, version: release.version, memory } });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // Which process answered, for whoever debugs the lab with curl.
    res.setHeader('x-served-by', hostName);
    res.setHeader('x-shop-version', release.version);
    if (path === '/_lab/stats' && method === 'GET') return sendReply(res, { json: stats.view(release.version, hostName) });
    if (path === '/_lab' || path.startsWith('/_lab/')) return handleAdminRequest(req, res, path, faults, options.adminToken);
    if (path !== '/healthz') {
      // What this host served, as its callers saw it: counted when the answer is sent.
      const started = performance.now();
      res.once('finish', () => stats.record(res.statusCode, performance.now() - started));
      if (release.extraMs > 0) await new Promise((r) => setTimeout(r, release.extraMs));
      if ((release.errorShare > 0 && Math.random() < release.errorShare) || (release.failPosts && method === 'POST')) {
        return sendError(res, 500, `release ${release.version} failed this request (a bad release, on purpose)`);
      }
    }

    const injected = await faults.beforeRequest(path);
    if (injected) {
      const [status, reason] = injected;
      return sendReply(res, { status, json: path === '/healthz' ? { status: 'error', service, host: hostName, reason } : { error: reason } });
    }
    if (path === '/healthz' && method === 'GET') return health(res);

    const match = matchRoute(routes, method, path);
    if (!match) return sendError(res, 404, `${method} ${path}: no such route on ${service}`);
    if ('allowedMethods' in match) {
      res.setHeader('allow', match.allowedMethods.join(', '));
      return sendError(res, 405, `${method} ${path}: use ${match.allowedMethods.join(' or ')}`);
    }
    let body: Promise<Record<string, unknown>> | undefined;
    const reply = await match.route.handle({
      method,
      path,
      query: url.searchParams,
      params: match.params,
      headers: req.headers,
      body: () => (body ??= readBody(req)),
    });
    sendReply(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : `internal error: ${(err as Error).message}`;
      if (status >= 500) log(`${req.method} ${req.url}: ${status} ${message}`);
      if (res.headersSent) res.destroy();
      else sendError(res, status, message);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const source of sources) source.close();
        faults.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
