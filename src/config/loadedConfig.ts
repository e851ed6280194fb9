import type { ConfigDoc, SourcePlace } from './configDoc.js';
import type { HeartbeatSpec, HostSpec, ServiceSpec, TeamSpec, UserSpec } from './kinds.js';

/** Every valid document, by kind and name. */
export class LoadedConfig {
  private docs = new Map<string, Map<string, ConfigDoc>>();
  // Every (kind, name) seen, valid or not: duplicates are found against it, and
  // reference checks use it so that one broken Team is one error, not one more
  // per Service that names it.
  private declared = new Map<string, Map<string, SourcePlace>>();

  /** Records that a document of this kind and name exists; returns where it was first declared if it already was. */
  declare(kind: string, name: string, source: SourcePlace): SourcePlace | undefined {
    let byName = this.declared.get(kind);
    if (!byName) this.declared.set(kind, (byName = new Map()));
    const first = byName.get(name);
    if (!first) byName.set(name, source);
    return first;
  }

  /** Names of every document of this kind in the directory, including ones that failed validation. */
  declaredNames(kind: string): string[] {
    return [...(this.declared.get(kind)?.keys() ?? [])];
  }

  add(doc: ConfigDoc): void {
    this.declare(doc.kind, doc.name, doc.source);
    let byName = this.docs.get(doc.kind);
    if (!byName) this.docs.set(doc.kind, (byName = new Map()));
    byName.set(doc.name, doc);
  }

  byKind<S = unknown>(kind: string): Map<string, ConfigDoc<S>> {
    return (this.docs.get(kind) as Map<string, ConfigDoc<S>> | undefined) ?? new Map();
  }

  get teams(): Map<string, ConfigDoc<TeamSpec>> {
    return this.byKind<TeamSpec>('Team');
  }
  get users(): Map<string, ConfigDoc<UserSpec>> {
    return this.byKind<UserSpec>('User');
  }
  get services(): Map<string, ConfigDoc<ServiceSpec>> {
    return this.byKind<ServiceSpec>('Service');
  }
  get hosts(): Map<string, ConfigDoc<HostSpec>> {
    return this.byKind<HostSpec>('Host');
  }
  get heartbeats(): Map<string, ConfigDoc<HeartbeatSpec>> {
    return this.byKind<HeartbeatSpec>('Heartbeat');
  }
}

export function emptyConfig(): LoadedConfig {
  return new LoadedConfig();
}
