import type { ConfigDoc } from './configDoc.js';
import type { HeartbeatSpec, HostSpec, ServiceSpec, TeamSpec, UserSpec } from './kinds.js';

/** Every valid document, by kind and name. */
export class LoadedConfig {
  private docs = new Map<string, Map<string, ConfigDoc>>();

  add(doc: ConfigDoc): void {
    let byName = this.docs.get(doc.kind);
    if (!byName) this.docs.set(doc.kind, (byName = new Map()));
    byName.set(doc.name, doc);
  }

  byKind<S = unknown>(kind: string): Map<string, ConfigDoc<S>> {
    return (this.docs.get(kind) as Map<string, ConfigDoc<S>> | undefined) ?? new Map();
  }

  get teams() {
    return this.byKind<TeamSpec>('Team');
  }
  get users() {
    return this.byKind<UserSpec>('User');
  }
  get services() {
    return this.byKind<ServiceSpec>('Service');
  }
  get hosts() {
    return this.byKind<HostSpec>('Host');
  }
  get heartbeats() {
    return this.byKind<HeartbeatSpec>('Heartbeat');
  }
}

export function emptyConfig(): LoadedConfig {
  return new LoadedConfig();
}
