import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { automationState, releasePausedRemediations, setAutomationPaused } from '../remediation/automationSwitch.js';
import { audit } from '../remediation/audit.js';
import { getRemediation, listRemediations, remediationView } from '../remediation/queries.js';
import type { RemediationRow } from '../store/schema.js';
import { answerApproval } from '../remediation/approval.js';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';

const statuses = ['pending', 'awaiting_approval', 'running', 'verifying', 'succeeded', 'failed', 'escalated', 'skipped'] as const;

const listQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(statuses, { error: `status is one of ${statuses.join(', ')} (comma-separated for several)` })))
      .optional(),
    runbook: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    alert: z
      .string()
      .transform((s, ctx): number[] => {
        const ids = s.split(',').map((x) => x.trim()).filter(Boolean);
        if (ids.length === 0 || ids.length > 200 || !ids.every((x) => /^[1-9]\d{0,15}$/.test(x))) {
          ctx.addIssue({ code: 'custom', message: 'alert is an alert id, or up to 200 of them comma-separated' });
          return z.NEVER;
        }
        return ids.map(Number);
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const switchBody = z.object({ by: z.string().trim().min(1, 'say who').optional(), reason: z.string().trim().min(1, 'say why') }).strict();

export function remediationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/v1/remediations', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { alert, ...filter } = parsed.data;
    if (!alert) return { remediations: await listRemediations(deps.store.db, filter) };
    // The remediations of these alerts (the console's alert and incident pages): the one an alert
    // started, and those it was attached to (alert_ids is a JSON array of numbers, no spaces).
    let q = deps.store.db.selectFrom('remediations').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.status?.length) q = q.where('status', 'in', filter.status as RemediationRow['status'][]);
    if (filter.runbook) q = q.where('runbook', '=', filter.runbook);
    if (filter.service) q = q.where('service', '=', filter.service);
    if (filter.target) q = q.where('target', '=', filter.target);
    q = q.where((eb) =>
      eb.or([eb('alert_id', 'in', alert), ...alert.flatMap((a) => [`[${a}]`, `[${a},%`, `%,${a},%`, `%,${a}]`].map((pattern) => eb('alert_ids', 'like', pattern)))]),
    );
    return { remediations: (await q.execute()).map(remediationView) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/remediations/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const remediation = await getRemediation(deps.store.db, id);
    if (!remediation) return sendProblem(reply, 404, 'not_found', `no remediation with id ${id}`);
    return remediation;
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/remediations/:id/${decision}`, { config: { access: 'respond' } }, async (request, reply) => {
      const id = idParam(reply, request.params.id);
      if (id === null) return reply;
      const parsed = switchBody.safeParse(request.body ?? {});
      if (!parsed.success) return sendInvalid(reply, parsed.error);
      const outcome = await answerApproval(deps.store, { id, decision, by: actorOf(request, parsed.data.by), reason: parsed.data.reason, now: deps.clock.now() });
      if (!outcome.ok) return sendProblem(reply, outcome.code === 'not_found' ? 404 : 409, outcome.code, outcome.message);
      return getRemediation(deps.store.db, id);
    });
  }

  app.get('/api/v1/automation', async () => automationState(deps.store.db));

  for (const action of ['pause', 'resume'] as const) {
    // Pulling the brake is the on-caller's call; so is letting go of it.
    app.post(`/api/v1/automation/${action}`, { config: { access: 'respond' } }, async (request, reply) => {
      const parsed = switchBody.safeParse(request.body ?? {});
      if (!parsed.success) return sendInvalid(reply, parsed.error);
      const now = deps.clock.now();
      const by = actorOf(request, parsed.data.by);
      await setAutomationPaused(deps.store.db, { paused: action === 'pause', by, reason: parsed.data.reason, now });
      await audit(deps.store.db, { kind: 'automation', message: `automation ${action === 'pause' ? 'paused' : 'resumed'} by ${by}: ${parsed.data.reason}` }, now);
      if (action === 'resume') await releasePausedRemediations(deps.store.db, now);
      return automationState(deps.store.db);
    });
  }
}
