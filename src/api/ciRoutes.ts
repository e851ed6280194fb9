import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { didYouMean } from '../config/references.js';
import { ciReportLimits, parseJunit, type JunitProblemCode } from '../catalog/upkeep/ciJunit.js';
import { storeCiReport } from '../catalog/upkeep/ciReports.js';
import { actorOf } from './actor.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';

const XML_TYPES = ['application/xml', 'text/xml'];

const reportQuery = z
  .object({
    service: z.string().trim().min(1, 'must name a configured Service').max(200, 'must be at most 200 characters'),
    // Git's SHA-1 (40) or SHA-256 (64) ids, or an abbreviation of at least 7: what CI has at hand.
    commit: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{7,64}$/, 'must be a commit id: 7 to 64 hexadecimal digits')
      .transform((s) => s.toLowerCase()),
    branch: z
      .string()
      .trim()
      .min(1, 'must not be empty (leave it out instead)')
      .max(255, 'must be at most 255 characters')
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
      .optional(),
  })
  .strict();

// Refusals a sender can fix by changing the report, each with its status.
const problemStatus: Record<JunitProblemCode, number> = {
  xml_declaration_refused: 400,
  xml_too_deep: 400,
  xml_too_many_elements: 413,
  xml_invalid: 400,
  junit_invalid: 400,
  too_many_test_cases: 413,
};

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * CI sends its JUnit XML here after each run, for the upkeep checks (flaky
 * tests, CI duration trend). A CI job is a sender like Prometheus: the
 * route needs the intake role, and the report is stored whole or not at all.
 */
export function ciRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Only this route reads XML bodies: elsewhere an XML body stays an unsupported type.
  void app.register(async (scope) => {
    scope.addContentTypeParser(XML_TYPES, { parseAs: 'string', bodyLimit: ciReportLimits.maxBodyBytes }, (_request, body, done) => done(null, body));

    scope.post('/api/v1/ci/reports', { config: { access: 'intake' }, bodyLimit: ciReportLimits.maxBodyBytes }, async (request, reply) => {
      const q = reportQuery.safeParse(request.query ?? {});
      if (!q.success) return sendInvalid(reply, q.error);
      const { service, commit, branch } = q.data;
      if (!deps.serviceOwners.has(service)) {
        const message = `"${service}" is not a configured Service${didYouMean(service, [...deps.serviceOwners.keys()])}`;
        return sendProblem(reply, 400, 'unknown_service', `service: ${message}`, [{ field: 'service', message }]);
      }
      const type = mediaType(request.headers['content-type']);
      if (!XML_TYPES.includes(type) || typeof request.body !== 'string') {
        return sendProblem(reply, 415, 'unsupported_media_type', `send the JUnit XML report as the body with content-type application/xml or text/xml (got ${type || 'no content-type'})`);
      }

      const parsed = parseJunit(request.body);
      if (!parsed.ok) return sendProblem(reply, problemStatus[parsed.code], parsed.code, `(body): ${parsed.message}`);
      const report = parsed.report;
      const receivedAt = deps.clock.now();
      const id = await storeCiReport(deps.store, { service, commit, branch: branch ?? null, receivedAt, receivedBy: actorOf(request, undefined) }, report);
      return reply.code(201).send({
        status: 'success',
        id,
        service,
        commit,
        branch: branch ?? null,
        suite: report.suite,
        tests: report.tests,
        failures: report.failures,
        errors: report.errors,
        skipped: report.skipped,
        durationMs: report.durationMs,
        receivedAt: new Date(receivedAt).toISOString(),
      });
    });
  });
}
