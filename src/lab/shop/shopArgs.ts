/** The command line of shopService, checked whole before anything starts. */
import { parseArgs } from 'node:util';
import { isShopVersion } from './releases.js';
import { toBaseUrl } from './discovery.js';
import { isShopServiceName, shopServiceNames, shopServices, type ShopServiceName } from './services.js';

export const shopUsage = `usage: shopService --service NAME --port PORT --data DIR
         [--dep NAME=URL[,URL...]]... [--discovery PRODENG_URL]
         [--disk-quota BYTES] [--max-rss-mb MB] [--host-name NAME] [--admin-token TOKEN]
         [--version V]
services: ${shopServiceNames.join(', ')}
Each dependency of the service comes from its --dep, else from --discovery.
PRODENG_API_TOKEN, when set, is sent to --discovery as a Bearer token.
With --max-rss-mb, healthz fails (503) while the resident memory is above MB.`;

export class UsageError extends Error {}

export interface ShopServiceOptions {
  service: ShopServiceName;
  /** 0 picks a free port; the listening line on stdout says which. */
  port: number;
  dataDir: string;
  hostName: string;
  diskQuotaBytes: number;
  /** healthz fails while the process's RSS is above this (from --max-rss-mb); none without it */
  maxRssBytes?: number;
  /** Fixed endpoints (base URLs) per dependency, from --dep. */
  staticDependencies: Map<ShopServiceName, string[]>;
  /** prodeng's base URL, for the dependencies without --dep. */
  discoveryUrl?: string;
  discoveryToken?: string;
  adminToken?: string;
  /** the release it runs (see releases.ts: a suffix such as -bad makes it worse on purpose) */
  version: string;
}

export const defaultDiskQuotaBytes = 5_000_000;

export function parseShopArgs(argv: string[], env: NodeJS.ProcessEnv): ShopServiceOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        service: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        dep: { type: 'string', multiple: true },
        discovery: { type: 'string' },
        'disk-quota': { type: 'string' },
        'max-rss-mb': { type: 'string' },
        'host-name': { type: 'string' },
        'admin-token': { type: 'string' },
        version: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const service = values.service;
  if (service === undefined || !isShopServiceName(service)) throw new UsageError(`--service: must be one of ${shopServiceNames.join(', ')}`);
  const port = Number(values.port);
  if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: must be a port number (0 picks a free one)');
  if (!values.data) throw new UsageError('--data: the directory for the service to write in is required');
  const diskQuotaBytes = values['disk-quota'] === undefined ? defaultDiskQuotaBytes : Number(values['disk-quota']);
  if (!Number.isInteger(diskQuotaBytes) || diskQuotaBytes < 1) throw new UsageError('--disk-quota: must be a whole number of bytes above 0');
  const maxRssMb = values['max-rss-mb'] === undefined ? undefined : Number(values['max-rss-mb']);
  if (maxRssMb !== undefined && !(Number.isFinite(maxRssMb) && maxRssMb >= 1)) throw new UsageError('--max-rss-mb: must be a number of megabytes, at least 1');
  if (values.discovery !== undefined && !/^https?:\/\/[^/]+/.test(values.discovery)) throw new UsageError('--discovery: must be an http(s) URL such as http://127.0.0.1:8080');

  const needed = shopServices[service].dependencies.map((d) => d.name);
  const staticDependencies = new Map<ShopServiceName, string[]>();
  for (const flag of values.dep ?? []) {
    const m = /^([\w-]+)=(.+)$/.exec(flag);
    if (!m) throw new UsageError(`--dep ${flag}: must be NAME=URL[,URL...]`);
    const name = m[1]!;
    if (!isShopServiceName(name) || !needed.includes(name)) {
      throw new UsageError(`--dep ${flag}: ${service} does not depend on ${name} (it depends on ${needed.join(', ') || 'nothing'})`);
    }
    if (staticDependencies.has(name)) throw new UsageError(`--dep ${name}: given twice; list every URL in one --dep, comma-separated`);
    const urls = m[2]!.split(',').map((u) => u.trim());
    try {
      staticDependencies.set(name, urls.map(toBaseUrl));
    } catch {
      throw new UsageError(`--dep ${flag}: each endpoint must be host:port or an http:// URL with a port`);
    }
  }
  if (values.discovery === undefined) {
    const missing = needed.filter((n) => !staticDependencies.has(n));
    if (missing.length > 0) throw new UsageError(`${service} needs ${missing.join(', ')}: give --dep ${missing[0]}=URL for each, or --discovery`);
  }

  const version = values.version ?? '1';
  if (!isShopVersion(version)) throw new UsageError(`--version: "${version}" is not a shop version (a number such as 2, optionally -bad, -errors, -slow or -crashy)`);

  return {
    version,
    service,
    port,
    dataDir: values.data,
    hostName: values['host-name'] ?? `${service}-${process.pid}`,
    diskQuotaBytes,
    ...(maxRssMb !== undefined ? { maxRssBytes: Math.round(maxRssMb * 1024 * 1024) } : {}),
    staticDependencies,
    discoveryUrl: values.discovery,
    discoveryToken: env.PRODENG_API_TOKEN || undefined,
    adminToken: values['admin-token'],
  };
}
