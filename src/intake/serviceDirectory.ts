import type { Labels } from './fingerprint.js';

export interface ServiceEntry {
  name: string;
  /** alerts carrying all these labels belong to the service */
  labels: Labels;
  /** integration key values, resolved from the environment at start */
  integrationKeys: string[];
}

/** Answers "which service is this alert about?" from configured services. */
export class ServiceDirectory {
  private byKey = new Map<string, string>();
  private withSelectors: ServiceEntry[];

  constructor(private services: ServiceEntry[]) {
    for (const s of services) for (const key of s.integrationKeys) this.byKey.set(key, s.name);
    this.withSelectors = services.filter((s) => Object.keys(s.labels).length > 0);
  }

  serviceForIntegrationKey(key: string): string | undefined {
    return this.byKey.get(key);
  }

  hasIntegrationKeys(): boolean {
    return this.byKey.size > 0;
  }

  /** A `service` label wins; otherwise the first service whose selector matches. */
  serviceForLabels(labels: Labels): string | null {
    if (labels.service) return labels.service;
    for (const s of this.withSelectors) {
      if (Object.entries(s.labels).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v)) return s.name;
    }
    return null;
  }

  names(): string[] {
    return this.services.map((s) => s.name);
  }

  /** each service with its label selector, in config order */
  entries(): ReadonlyArray<Pick<ServiceEntry, 'name' | 'labels'>> {
    return this.services;
  }
}
