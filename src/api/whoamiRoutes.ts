import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problems.js';

/** Who the server takes the caller to be: the console and CLI show it, and a token's owner can check its role. */
export function whoamiRoutes(app: FastifyInstance): void {
  // Public, so that any valid token (an intake one too) can ask; the answer comes from the credential only.
  app.get('/api/v1/whoami', { config: { access: 'public' } }, async (request, reply) => {
    const p = request.principal;
    if (!p) return sendProblem(reply, 401, 'unauthorized', 'send an API token as "Authorization: Bearer TOKEN"');
    return { name: p.name, role: p.role, user: p.user, via: p.via };
  });
}
