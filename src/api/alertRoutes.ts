import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getAlert, getAlertWithHistory, listAlerts } from '../intake/alertQueries.js';
import { parseMatcher, type Matcher } from '../intake/matchers.js';
import { chooseRunbook } from '../remediation/runbookMatching.js';
import { previewPlan } from '../remediation/preview.js';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';

const listQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['firing', 'acknowledged', 'resolved'], { error: 'status is firing, acknowledged or resolved (comma-separated for several)' })))
      .optional(),
    service: z.string().min(1).optional(),
    'match[]': z
      .union([z.string(), z.array(z.string())])
      .transform((v, ctx): Matcher[] => {
        const texts = (Array.isArray(v) ? v : [v]).flatMap(splitMatcherList);
        try {
          return texts.map(parseMatcher);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** `{a="1",b=~"x"}` or `a="1"`; commas inside quotes stay in the value. */
function splitMatcherList(text: string): string[] {
  const inner = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (ch === '"' && inner[i - 1] !== '\\') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function alertRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/v1/alerts', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const q = parsed.data;
    return listAlerts(deps.store, { status: q.status, service: q.service, matchers: q['match[]'], limit: q.limit, before: q.before });
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const alert = await getAlertWithHistory(deps.store.db, id);
    if (!alert) return sendProblem(reply, 404, 'not_found', `no alert with id ${id}`);
    return alert;
  });

  // Which runbook applies to this alert, and why each of the others does not.
  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id/runbooks', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const alert = await getAlert(deps.store.db, id);
    if (!alert) return sendProblem(reply, 404, 'not_found', `no alert with id ${id}`);
    const choice = chooseRunbook(deps.runbooks, alert);
    return { alert: id, chosen: choice.chosen, verdicts: choice.verdicts.map(({ runbook, matches, reason }) => ({ runbook, matches, reason })) };
  });

  // The plan preview: runbook, rendered steps and every gate's verdict, without acting.
  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id/plan', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const alert = await getAlert(deps.store.db, id);
    if (!alert) return sendProblem(reply, 404, 'not_found', `no alert with id ${id}`);
    return previewPlan(deps.store.db, deps.runbooks, alert, deps.clock.now(), { scopeSize: deps.scopeSize, dryRun: deps.dryRun, global: deps.globalLimits });
  });
}
