import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { handOverToHuman, listIncidents } from '../incidents/handover.js';
import { ackSignatureValid, linkSecret } from '../paging/ackLinks.js';
import { acknowledgeIncident, noteIncident, resolveIncident, type IncidentActionResult } from '../paging/incidentActions.js';
import { incidentWithTimeline } from '../paging/incidentView.js';
import { postmortemDraft } from '../paging/postmortem.js';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';

const byBody = z.object({ by: z.string().min(1, 'say who you are, e.g. "alice"') }).strict();
const resolveBody = z.object({ by: z.string().min(1, 'say who you are'), note: z.string().optional() }).strict();
const noteBody = z.object({ by: z.string().min(1, 'say who you are'), text: z.string().min(1, 'the note is empty') }).strict();
const linkQuery = z.object({ user: z.string().min(1), sig: z.string().min(1) }).strict();

const openBody = z
  .object({
    title: z.string().min(1, 'say what is wrong'),
    service: z.string().min(1).optional(),
    by: z.string().min(1, 'say who opens it'),
    details: z.string().optional(),
  })
  .strict();

const STATUS = { not_found: 404, conflict: 409, forbidden: 403 } as const;

/** Incidents: list, the whole story, acknowledge (also by signed link), resolve, notes, a postmortem draft. */
export function incidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const answer = async (reply: Parameters<typeof sendProblem>[0], id: number, result: IncidentActionResult) => {
    if (!result.ok) return sendProblem(reply, STATUS[result.code], result.code, result.message);
    return incidentWithTimeline(deps.store.db, id);
  };

  app.get('/api/v1/incidents', async () => ({ incidents: await listIncidents(deps.store.db) }));

  // By hand: someone saw something automation did not.
  app.post('/api/v1/incidents', async (request, reply) => {
    const parsed = openBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { title, service, by, details } = parsed.data;
    const now = deps.clock.now();
    const id = await deps.store.db.transaction().execute((tx) =>
      handOverToHuman(tx, { title, service: service ?? null, remediationId: null, alertIds: [], story: [`${new Date(now).toISOString()} opened by ${by}${details ? `: ${details}` : ''}`] }, now),
    );
    return reply.code(201).send(await incidentWithTimeline(deps.store.db, id));
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    return (await incidentWithTimeline(deps.store.db, id)) ?? sendProblem(reply, 404, 'not_found', `no incident ${id}`);
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/ack', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = byBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await acknowledgeIncident(deps.store, id, parsed.data.by, deps.clock.now(), 'API'));
  });

  // The link in a page: a click acknowledges as the person it was sent to.
  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/ack-link', { config: { auth: 'public' } }, async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const q = linkQuery.safeParse(request.query ?? {});
    if (!q.success || !ackSignatureValid(await linkSecret(deps.store.db), id, q.data.user, q.data.sig)) {
      return sendProblem(reply, 403, 'forbidden', 'this acknowledgement link is not valid for this incident');
    }
    const result = await acknowledgeIncident(deps.store, id, q.data.user, deps.clock.now(), 'link in the page');
    if (!result.ok) return sendProblem(reply, STATUS[result.code], result.code, result.message);
    return reply.type('text/plain; charset=utf-8').send(`Incident ${id} acknowledged by ${q.data.user}. Escalation stopped.\n`);
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/resolve', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = resolveBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await resolveIncident(deps.store, id, parsed.data.by, deps.clock.now(), parsed.data.note));
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/notes', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = noteBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await noteIncident(deps.store, id, parsed.data.by, parsed.data.text, deps.clock.now()));
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/postmortem', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const incident = await incidentWithTimeline(deps.store.db, id);
    if (!incident) return sendProblem(reply, 404, 'not_found', `no incident ${id}`);
    return reply.type('text/markdown; charset=utf-8').send(postmortemDraft(incident));
  });
}
