export { FaultProxy, PopulateError, type FaultProxyEvent, type FaultProxyEventKind, type FaultProxyListener, type FaultProxyOptions, type RemovalReason, type ProxyView, type ToxicView, type ProxyInput, type ProxyUpdate, type ToxicInput, type ToxicUpdate } from './faultProxy.js';
export { FaultProxyError } from './errors.js';
export { registerToxiproxyRoutes, startToxiproxyServer, TOXIPROXY_API_VERSION, type ToxiproxyRoutesOptions, type ToxiproxyServer } from './toxiproxyApi.js';
export { applyAtcProfile, atcProfileToToxics, parseAtcProfile, type AtcProfile, type AtcImport, type AtcImportOptions } from './atcProfile.js';
export { toxicTypes } from './toxics/registry.js';
