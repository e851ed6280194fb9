import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { sendProblem } from './problems.js';

/** What a runbook is, as a person or the CLI needs it to know the name exists: never its rendered steps. */
function runbookSummary(doc: ApiDeps['runbooks'][number]) {
  const s = doc.spec;
  return {
    name: doc.name,
    service: s.service ?? null,
    match: s.match,
    target: s.target,
    steps: s.steps.map((step) => ({ name: step.name ?? step.action, action: step.action })),
    dryRun: s.safety.dryRun,
    requireApproval: s.safety.requireApproval,
    onRefusal: s.safety.onRefusal,
    source: `${doc.source.file}:${doc.source.line}`,
  };
}

/** The configured runbooks, whether or not any remediation ever ran them (read-only). */
export function runbookRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/v1/runbooks', async () => ({ runbooks: deps.runbooks.map(runbookSummary) }));
  app.get<{ Params: { name: string } }>('/api/v1/runbooks/:name', async (request, reply) => {
    const doc = deps.runbooks.find((r) => r.name === request.params.name);
    if (!doc) return sendProblem(reply, 404, 'runbook_not_found', `no Runbook named ${request.params.name}`);
    return runbookSummary(doc);
  });
}
