import type { DataDir } from '../dataDir.js';
import type { DependencyClient } from '../dependencyClient.js';
import type { Route } from '../http.js';
import type { ShopServiceName } from '../services.js';

/** What a service's routes get: who they are, their data dir and their dependencies. */
export interface ServiceContext {
  service: ShopServiceName;
  hostName: string;
  dataDir: DataDir;
  /** The client for a dependency; shopService checks at startup that every one is configured. */
  dependency(name: ShopServiceName): DependencyClient;
  log(message: string): void;
}

export type ServiceRoutes = (context: ServiceContext) => Route[];
