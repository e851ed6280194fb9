import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { intakeLimits } from '../intake/limits.js';
import { connectionLimits, connectionServerOptions, limitConnections } from './connectionLimits.js';
import type { ApiDeps } from './deps.js';
import { installAuth } from './auth.js';
import { installHostileInputCheck } from './hostileInput.js';
import { sendProblem } from './problems.js';
import { healthRoutes } from './healthRoutes.js';
import { prometheusRoutes } from './prometheusRoutes.js';
import { alertmanagerRoutes } from './alertmanagerRoutes.js';
import { pagerdutyRoutes } from './pagerdutyRoutes.js';
import { genericRoutes } from './genericRoutes.js';
import { sloRoutes } from './sloRoutes.js';
import { heartbeatRoutes } from './heartbeatRoutes.js';
import { silenceRoutes } from './silenceRoutes.js';
import { alertRoutes } from './alertRoutes.js';
import { remediationRoutes } from './remediationRoutes.js';
import { hostRoutes } from './hostRoutes.js';
import { labRoutes } from './labRoutes.js';
import { chaosRoutes } from './chaosRoutes.js';
import { chaosGraphRoutes } from './chaosGraphRoutes.js';
import { catalogRoutes } from './catalogRoutes.js';
import { upkeepDueSource } from '../catalog/scorecard/digestUpkeep.js';
import { chaosExperimentRoutes } from './chaosExperimentRoutes.js';
import { registerToxiproxyRoutes } from '../chaos/proxy/index.js';
import { poolRoutes } from './poolRoutes.js';
import { clusterRoutes } from './clusterRoutes.js';
import { probeRoutes } from './probeRoutes.js';
import { reportRoutes } from './reportRoutes.js';
import { oncallRoutes } from './oncallRoutes.js';
import { incidentRoutes } from './incidentRoutes.js';
import { eventRoutes } from './eventRoutes.js';
import { ciRoutes } from './ciRoutes.js';
import { digestRoutes } from './digestRoutes.js';
import { consoleRoutes } from './consoleRoutes.js';
import { whoamiRoutes } from './whoamiRoutes.js';
import { runbookRoutes } from './runbookRoutes.js';
import { alertmanagerStatusRoutes } from './alertmanagerStatusRoutes.js';
import { alertmanagerAlertRoutes } from './alertmanagerAlertRoutes.js';
import { alertmanagerSilenceRoutes } from './alertmanagerSilenceRoutes.js';
import { judgeRoutes } from './judgeRoutes.js';
import { changeRoutes } from './changeRoutes.js';

const bodyErrorCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
};

/**
 * A request's path without its query: a query may carry a secret (a token
 * someone put in `?token=`, a feed's or link's signature), and the log keeps none.
 */
const pathOf = (url: string) => url.split('?')[0] as string;

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: intakeLimits.maxBodyBytes,
    // One line per request at intake rates is noise; refusals are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    // Header, request and keep-alive deadlines, so slow clients cannot hold connections.
    ...connectionServerOptions(),
  });
  limitConnections(app.server, connectionLimits(), (cap) => deps.metrics.connectionsRefused.inc({ cap }));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) request.log.info({ method: request.method, path: pathOf(request.url), status: reply.statusCode }, 'request refused');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = (error.code && bodyErrorCodes[error.code]) ?? 'invalid_request';
      const message =
        code === 'body_too_large'
          ? `the request body is larger than the ${request.routeOptions.bodyLimit ?? intakeLimits.maxBodyBytes} bytes this endpoint accepts`
          : code === 'invalid_json'
            ? `(body): not valid JSON: ${error.message}`
            : error.message;
      return sendProblem(reply, status, code, message);
    }
    request.log.error({ err: error, path: pathOf(request.url) }, 'request failed');
    return sendProblem(reply, 500, 'internal', 'the server failed to handle this request; the server log has the details');
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'not_found', `no route ${request.method} ${pathOf(request.url)}`));

  installAuth(app, { credentials: deps.credentials, publicUrl: deps.publicUrl });
  installHostileInputCheck(app);
  healthRoutes(app, deps);
  whoamiRoutes(app);
  prometheusRoutes(app, deps);
  alertmanagerStatusRoutes(app, deps);
  alertmanagerAlertRoutes(app, deps);
  alertmanagerSilenceRoutes(app, deps);
  alertmanagerRoutes(app, deps);
  pagerdutyRoutes(app, deps);
  genericRoutes(app, deps);
  heartbeatRoutes(app, deps);
  sloRoutes(app, deps);
  silenceRoutes(app, deps);
  alertRoutes(app, deps);
  remediationRoutes(app, deps);
  runbookRoutes(app, deps);
  hostRoutes(app, deps);
  labRoutes(app, deps);
  chaosRoutes(app, deps);
  chaosGraphRoutes(app, deps);
  catalogRoutes(app, deps);
  chaosExperimentRoutes(app, deps);
  registerToxiproxyRoutes(app, deps.faultProxy, { prefix: '/api/v1/chaos/toxiproxy' });
  poolRoutes(app, deps);
  clusterRoutes(app, deps);
  probeRoutes(app, deps);
  reportRoutes(app, deps, { serviceOwners: deps.serviceOwners });
  oncallRoutes(app, deps, { schedules: deps.schedules, feedSecret: deps.feedSecret, live: deps.liveSchedules, users: deps.userNames });
  incidentRoutes(app, deps);
  digestRoutes(app, deps, { serviceOwners: deps.serviceOwners, teamEmails: deps.teamEmails, slos: deps.slos.map((s) => ({ name: s.name, service: s.spec.service, objective: s.spec.objective })), upkeepDue: upkeepDueSource(deps.store.db, deps.config) });
  eventRoutes(app, deps);
  ciRoutes(app, deps);
  judgeRoutes(app, deps);
  changeRoutes(app, deps);
  consoleRoutes(app);
  return app;
}
