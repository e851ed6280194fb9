export { loadConfigDir, type ConfigLoadResult } from './load.js';
export { LoadedConfig, emptyConfig } from './loadedConfig.js';
export { formatConfigError, type ConfigError } from './errors.js';
export type { ConfigDoc, ConfigMetadata, ReferenceProblem, SourcePlace } from './configDoc.js';
export { defineKind, knownKinds, type KindDefinition } from './kindRegistry.js';
export { mustExist, didYouMean } from './references.js';
export { parseDuration, formatDuration, durationSchema } from './duration.js';
export { API_VERSION } from './envelope.js';
export {
  teamSpecSchema,
  userSpecSchema,
  serviceSpecSchema,
  hostSpecSchema,
  heartbeatSpecSchema,
  type TeamSpec,
  type UserSpec,
  type ServiceSpec,
  type HostSpec,
  type HeartbeatSpec,
} from './kinds.js';
