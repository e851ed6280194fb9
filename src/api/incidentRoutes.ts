import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { handOverToHuman, listIncidents } from '../incidents/handover.js';
import { ackSignatureValid, linkSecret } from '../paging/ackLinks.js';
import { acknowledgeIncident, noteIncident, resolveIncident, type IncidentActionResult } from '../paging/incidentActions.js';
import { incidentWithTimeline } from '../paging/incidentView.js';
import { postmortemDraft } from '../paging/postmortem.js';
import type { ApiDeps } from './deps.js';
import { idParam, sendInvalid, sendProblem } from './problems.js';
import { actorOf } from './actor.js';
import { ackDonePage, ackLinkPage } from './ackLinkPage.js';
import { onCallAt } from '../oncall/rotation.js';
import { DateTime } from 'luxon';

// `by` is a label: with API tokens, who acts comes from the token (see actor.ts).
const typedName = z.string().min(1, 'say who you are, e.g. "alice"').max(255).optional();
const byBody = z.object({ by: typedName }).strict();
const resolveBody = z.object({ by: typedName, note: z.string().optional() }).strict();
const noteBody = z.object({ by: typedName, text: z.string().min(1, 'the note is empty') }).strict();
const linkParams = z.object({ user: z.string().min(1), sig: z.string().min(1) });

const openBody = z
  .object({
    title: z.string().min(1, 'say what is wrong'),
    service: z.string().min(1).optional(),
    by: typedName,
    details: z.string().optional(),
    /** low: a ticket for the owning team, nobody paged */
    urgency: z.enum(['high', 'low'], { error: 'must be high (page) or low (a ticket: the team is told, nobody is paged)' }).optional(),
  })
  .strict();

const STATUS = { not_found: 404, conflict: 409, forbidden: 403 } as const;

/** Incidents: list, the whole story, acknowledge (also by signed link), resolve, notes, a postmortem draft. */
export function incidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // The view lists changes to the incident's service and to what it depends on.
  const view = { dependsOn: (service: string) => (deps.serviceDependencies.get(service) ?? []).map((d) => d.service) };
  const answer = async (reply: Parameters<typeof sendProblem>[0], id: number, result: IncidentActionResult) => {
    if (!result.ok) return sendProblem(reply, STATUS[result.code], result.code, result.message);
    return incidentWithTimeline(deps.store.db, id, view);
  };

  app.get('/api/v1/incidents', async () => ({ incidents: await listIncidents(deps.store.db) }));

  // By hand: someone saw something automation did not.
  const respond = { config: { access: 'respond' as const } };
  /** Whether the user is shadowing someone right now and on call nowhere themselves. */
  const shadowingNow = async (user: string) => {
    const at = DateTime.fromMillis(deps.clock.now(), { zone: 'UTC' });
    const now = (await deps.liveSchedules.current()).list.map((doc) => onCallAt(doc.spec, at));
    return now.some((w) => w.shadows.some((s) => s.user === user)) && !now.some((w) => w.users.includes(user));
  };
  const acknowledge = async (id: number, by: string, via: string) => acknowledgeIncident(deps.store, id, by, deps.clock.now(), via, { shadowingNow: await shadowingNow(by) });

  app.post('/api/v1/incidents', respond, async (request, reply) => {
    const parsed = openBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const { title, service, details, urgency } = parsed.data;
    const by = actorOf(request, parsed.data.by);
    const now = deps.clock.now();
    const id = await deps.store.db.transaction().execute((tx) =>
      handOverToHuman(tx, { title, service: service ?? null, remediationId: null, alertIds: [], story: [`${new Date(now).toISOString()} opened by ${by}${details ? `: ${details}` : ''}`], urgency }, now),
    );
    return reply.code(201).send(await incidentWithTimeline(deps.store.db, id, view));
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    return (await incidentWithTimeline(deps.store.db, id, view)) ?? sendProblem(reply, 404, 'not_found', `no incident ${id}`);
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/ack', respond, async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = byBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await acknowledge(id, actorOf(request, parsed.data.by), 'API'));
  });

  // The link in a page opens a page; only its button (a POST) acknowledges,
  // so a link checker, chat unfurler or mail scanner that fetches it stops nothing.
  // The signature carries the user: the link is the credential.
  const signedLink = async (id: number, input: unknown) => {
    const q = linkParams.safeParse(input ?? {});
    return q.success && ackSignatureValid(await linkSecret(deps.store.db), id, q.data.user, q.data.sig) ? q.data : null;
  };
  const badLink = (reply: Parameters<typeof sendProblem>[0]) => sendProblem(reply, 403, 'forbidden', 'this acknowledgement link is not valid for this incident');

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/ack-link', { config: { access: 'public' } }, async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const link = await signedLink(id, request.query);
    if (!link) return badLink(reply);
    const incident = await deps.store.db.selectFrom('incidents').select(['title', 'status']).where('id', '=', id).executeTakeFirst();
    if (!incident) return sendProblem(reply, 404, 'not_found', `no incident ${id}`);
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(ackLinkPage({ incidentId: id, title: incident.title, status: incident.status, user: link.user, sig: link.sig }));
  });

  // Only this route reads HTML form bodies: elsewhere a form post from another site is no way in.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.post<{ Params: { id: string } }>('/api/v1/incidents/:id/ack-link', { config: { access: 'public' } }, async (request, reply) => {
      const id = idParam(reply, request.params.id);
      if (id === null) return reply;
      // The page's form posts the fields; a client may put them in the query instead.
      const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
      const link = await signedLink(id, { ...(request.query as object), ...body });
      if (!link) return badLink(reply);
      const result = await acknowledge(id, link.user, 'link in the page');
      if (!result.ok) return sendProblem(reply, STATUS[result.code], result.code, result.message);
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(ackDonePage(id, link.user));
    });
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/resolve', respond, async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = resolveBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await resolveIncident(deps.store, id, actorOf(request, parsed.data.by), deps.clock.now(), parsed.data.note));
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/notes', respond, async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const parsed = noteBody.safeParse(request.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    return answer(reply, id, await noteIncident(deps.store, id, actorOf(request, parsed.data.by), parsed.data.text, deps.clock.now()));
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id/postmortem', async (request, reply) => {
    const id = idParam(reply, request.params.id);
    if (id === null) return reply;
    const incident = await incidentWithTimeline(deps.store.db, id, view);
    if (!incident) return sendProblem(reply, 404, 'not_found', `no incident ${id}`);
    return reply.type('text/markdown; charset=utf-8').send(postmortemDraft(incident));
  });
}
