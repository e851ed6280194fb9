export { loadConfigDir, type ConfigLoadResult } from './load.js';
export { LoadedConfig, emptyConfig } from './loadedConfig.js';
export { formatConfigError, type ConfigError } from './errors.js';
export type { ConfigDoc, ReferenceProblem } from './configDoc.js';
export { defineKind, knownKinds, type KindDefinition } from './kindRegistry.js';
export { parseDuration, formatDuration, durationSchema } from './duration.js';
export type { TeamSpec, UserSpec, ServiceSpec, HostSpec, HeartbeatSpec } from './kinds.js';
